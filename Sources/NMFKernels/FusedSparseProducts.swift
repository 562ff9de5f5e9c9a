import CVectorKernels

extension CompressedRows {
    /// `result (b×q) += alpha·A·Y` for rows `range` as A and Y (n×q) row-major, each row of the
    /// result summing its terms in value order: `multiply` in the vector kernels. Each term is
    /// one fused multiply-add, where the portable code rounds twice: the bits differ.
    @inlinable func fusedMultiply(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T,
                                  into result: UnsafeMutablePointer<T>) {
        withRawRows(range) { offsets, indices, values in
            if T.self == Float.self {
                sparse_gather_float(offsets, range.count, indices, values.assumingMemoryBound(to: Float.self),
                                    unsafeBitCast(alpha, to: Float.self), Self.typed(y), q, Self.typed(result))
            } else {
                sparse_gather_double(offsets, range.count, indices, values.assumingMemoryBound(to: Double.self),
                                     unsafeBitCast(alpha, to: Double.self), Self.typed(y), q, Self.typed(result))
            }
        }
    }

    /// `result (n×q) += alpha·Aᵀ·Y` for rows `range` as A and Y (b×q) row-major, the terms of
    /// each result row added in row order: `multiplyTransposed` in the vector kernels.
    @inlinable func fusedMultiplyTransposed(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T,
                                            into result: UnsafeMutablePointer<T>) {
        withRawRows(range) { offsets, indices, values in
            if T.self == Float.self {
                sparse_scatter_float(offsets, range.count, indices, values.assumingMemoryBound(to: Float.self),
                                     unsafeBitCast(alpha, to: Float.self), Self.typed(y), q, Self.typed(result))
            } else {
                sparse_scatter_double(offsets, range.count, indices, values.assumingMemoryBound(to: Double.self),
                                      unsafeBitCast(alpha, to: Double.self), Self.typed(y), q, Self.typed(result))
            }
        }
    }

    /// W·H at the values of rows `range`: `sampledProducts` in the vector kernels, each
    /// product's terms added by fused multiply-adds (in another order than the portable dot).
    @inlinable func fusedSampledProducts(_ range: Range<Int>, w: UnsafePointer<T>, ht: UnsafePointer<T>,
                                         components k: Int, into products: UnsafeMutablePointer<T>) {
        withRawRows(range) { offsets, indices, _ in
            if T.self == Float.self {
                sparse_sampled_float(offsets, range.count, indices, Self.typed(w), Self.typed(ht), k, Self.typed(products))
            } else {
                sparse_sampled_double(offsets, range.count, indices, Self.typed(w), Self.typed(ht), k,
                                      Self.typed(products))
            }
        }
    }

    /// Runs `body` on the rows' offsets, column indices and values; not at all when the rows
    /// hold no values (nothing to add, and no storage to point at).
    @inlinable func withRawRows(
        _ range: Range<Int>,
        _ body: (UnsafePointer<Int>, UnsafePointer<Int32>, UnsafeRawPointer) -> Void
    ) {
        guard offsets[range.upperBound] > offsets[range.lowerBound] else { return }
        offsets.withUnsafeBufferPointer { offsets in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { values in
                    body(offsets.baseAddress! + range.lowerBound, indices.baseAddress!, UnsafeRawPointer(values.baseAddress!))
                }
            }
        }
    }

    /// `pointer` as the element type `T` is (Float or Double, the only NMFScalar types).
    @inlinable static func typed<Element>(_ pointer: UnsafePointer<T>) -> UnsafePointer<Element> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: Element.self)
    }

    @inlinable static func typed<Element>(_ pointer: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Element> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Element.self)
    }
}
