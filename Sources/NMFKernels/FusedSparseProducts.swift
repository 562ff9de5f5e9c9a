import CVectorKernels

extension CompressedRows {
    /// `result (b×q) += alpha·A·Y` for rows `range` as A and Y (n×q) row-major, each row of the
    /// result summing its terms in value order: the float32 case of `multiply`. Each term is one
    /// fused multiply-add, where the portable code rounds twice: the bits differ.
    @inlinable func fusedMultiply(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T,
                                  into result: UnsafeMutablePointer<T>) {
        withFloatRows(range) { offsets, indices, values in
            sparse_gather_float(offsets, range.count, indices, values, unsafeBitCast(alpha, to: Float.self),
                                Self.floats(y), q, Self.mutableFloats(result))
        }
    }

    /// `result (n×q) += alpha·Aᵀ·Y` for rows `range` as A and Y (b×q) row-major, the terms of
    /// each result row added in row order: the float32 case of `multiplyTransposed`.
    @inlinable func fusedMultiplyTransposed(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T,
                                            into result: UnsafeMutablePointer<T>) {
        withFloatRows(range) { offsets, indices, values in
            sparse_scatter_float(offsets, range.count, indices, values, unsafeBitCast(alpha, to: Float.self),
                                 Self.floats(y), q, Self.mutableFloats(result))
        }
    }

    @inlinable func withFloatRows(
        _ range: Range<Int>,
        _ body: (UnsafePointer<Int>, UnsafePointer<Int32>, UnsafePointer<Float>) -> Void
    ) {
        offsets.withUnsafeBufferPointer { offsets in
            columnIndices.withUnsafeBufferPointer { indices in
                values.withUnsafeBufferPointer { values in
                    body(offsets.baseAddress! + range.lowerBound, indices.baseAddress!,
                         Self.floats(values.baseAddress!))
                }
            }
        }
    }

    @inlinable static func floats(_ pointer: UnsafePointer<T>) -> UnsafePointer<Float> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: Float.self)
    }

    @inlinable static func mutableFloats(_ pointer: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: Float.self)
    }
}
