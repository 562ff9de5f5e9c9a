/// H made ready for products at a sparse tile's values: Hᵀ (n×k, so a value reads one
/// contiguous row), and in Double H·Hᵀ and H's row sums, which give the sums of W·H over
/// every entry — zeros included — without forming it. Made once per pass.
public struct SampledFactor<T: NMFScalar>: Sendable {
    public let h: Matrix<T>
    public let transposed: Matrix<T>
    @usableFromInline let gram: [Double]
    @usableFromInline let rowSums: [Double]

    @inlinable public init(_ h: Matrix<T>) {
        self.h = h
        transposed = h.transposed()
        let (k, n) = (h.rows, h.columns)
        var gram = [Double](repeating: 0, count: k * k), rowSums = [Double](repeating: 0, count: k)
        h.elements.withUnsafeBufferPointer { elements in
            guard let base = elements.baseAddress else { return }
            for a in 0..<k {
                let rowA = base + a * n
                for column in 0..<n { rowSums[a] += Double(rowA[column]) }
                for b in a..<k {
                    let rowB = base + b * n
                    var sum = 0.0
                    for column in 0..<n { sum += Double(rowA[column]) * Double(rowB[column]) }
                    (gram[a * k + b], gram[b * k + a]) = (sum, sum)
                }
            }
        }
        self.gram = gram
        self.rowSums = rowSums
    }
}

/// Sparse rows with W·H at their values (scikit-learn's products "only where X is
/// non-zero"): nnz·k work, against b·n·k for the dense product.
public struct SampledTile<T: NMFScalar> {
    /// The rows' values, in row-major order.
    public let values: ArraySlice<T>
    /// (W·H) at each value.
    public let products: [T]
    @usableFromInline let sparse: CompressedRows<T>
    @usableFromInline let range: Range<Int>
    @usableFromInline let w: Matrix<T>

    @usableFromInline init(values: ArraySlice<T>, products: [T], sparse: CompressedRows<T>, range: Range<Int>, w: Matrix<T>) {
        (self.values, self.products, self.sparse, self.range, self.w) = (values, products, sparse, range, w)
    }

    /// The same rows with `newValues` in place of theirs (e.g. V ⊘ W·H), for products.
    @inlinable public func rows(withValues newValues: [T]) -> MatrixRows<T> {
        MatrixRows(sparse.replacingValues(range, with: newValues), rows: 0..<range.count)
    }

    /// Σ (v − W·H)² over every entry of the rows, zeros included:
    /// Σ (v − p)² + ‖W·H‖² − Σ p² over the values, ‖W·H‖² = ⟨WᵀW, H·Hᵀ⟩ in Double.
    @inlinable public func squaredDistance(_ factor: SampledFactor<T>) -> Double {
        var distance = 0.0, productSquares = 0.0
        values.withUnsafeBufferPointer { values in
            products.withUnsafeBufferPointer { products in
                for index in values.indices {
                    let (v, p) = (Double(values[index]), Double(products[index]))
                    distance += (v - p) * (v - p)
                    productSquares += p * p
                }
            }
        }
        let gram = wGram()
        let everyProductSquared = zip(gram, factor.gram).reduce(0.0) { $0 + $1.0 * $1.1 }
        return distance + max(everyProductSquared - productSquares, 0)
    }

    /// Σ (W·H) over every entry of the rows: W's column sums times H's row sums.
    @inlinable public func productSum(_ factor: SampledFactor<T>) -> Double {
        var sums = [Double](repeating: 0, count: w.columns)
        w.elements.withUnsafeBufferPointer { elements in
            for row in 0..<w.rows {
                for component in 0..<w.columns { sums[component] += Double(elements[row * w.columns + component]) }
            }
        }
        return zip(sums, factor.rowSums).reduce(0.0) { $0 + $1.0 * $1.1 }
    }

    /// WᵀW (k×k) in Double.
    @inlinable func wGram() -> [Double] {
        let k = w.columns
        var gram = [Double](repeating: 0, count: k * k)
        w.elements.withUnsafeBufferPointer { elements in
            for row in 0..<w.rows {
                let base = row * k
                for a in 0..<k {
                    let wa = Double(elements[base + a])
                    for b in 0..<k { gram[a * k + b] += wa * Double(elements[base + b]) }
                }
            }
        }
        return gram
    }
}

extension MatrixRows {
    /// For sparse rows, their values and W·H at them (`w`: the rows of W, b×k); nil for dense rows.
    @inlinable public func sampled(w: Matrix<T>, _ factor: SampledFactor<T>) -> SampledTile<T>? {
        guard let sparse = compressed else { return nil }
        guard rows > 0 else {
            return SampledTile(values: [], products: [], sparse: sparse, range: range, w: w)
        }
        precondition(w.rows == rows && w.columns == factor.h.rows, "W's rows do not match")
        let products = w.elements.withUnsafeBufferPointer { pw in
            factor.transposed.elements.withUnsafeBufferPointer { pht in
                sparse.sampledProducts(range, w: pw.baseAddress!, ht: pht.baseAddress!, components: w.columns)
            }
        }
        let values = sparse.values[sparse.offsets[range.lowerBound]..<sparse.offsets[range.upperBound]]
        return SampledTile(values: values, products: products, sparse: sparse, range: range, w: w)
    }
}
