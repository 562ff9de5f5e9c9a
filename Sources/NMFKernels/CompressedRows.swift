/// Rows of a sparse matrix in compressed-row form: row i's values are
/// `values[offsets[i]..<offsets[i + 1]]`, at columns `columnIndices[…]` of the same range.
/// Columns may repeat within a row; their values add up (as scipy's `toarray` does).
public final class CompressedRows<T: NMFScalar>: Sendable {
    public let rows: Int
    public let columns: Int
    public let offsets: [Int]
    public let columnIndices: [Int32]
    public let values: [T]

    public init(columns: Int, offsets: [Int], columnIndices: [Int32], values: [T]) {
        precondition(offsets.first == 0 && offsets.last == values.count && columnIndices.count == values.count,
                     "offsets must run from 0 to the number of values")
        rows = offsets.count - 1
        self.columns = columns
        self.offsets = offsets
        self.columnIndices = columnIndices
        self.values = values
    }

    public var nonZeros: Int { values.count }

    /// Rows `range` as dense row-major elements, written over `dense`.
    @inlinable public func densify(_ range: Range<Int>, into dense: UnsafeMutableBufferPointer<T>) {
        precondition(dense.count >= range.count * columns, "buffer too small")
        dense.initialize(repeating: 0)
        columnIndices.withUnsafeBufferPointer { indices in
            values.withUnsafeBufferPointer { values in
                for (local, row) in range.enumerated() {
                    let base = local * columns
                    for position in offsets[row]..<offsets[row + 1] {
                        dense[base + Int(indices[position])] += values[position]
                    }
                }
            }
        }
    }
}

extension CompressedRows {
    /// `result (b×q) ← alpha·A·Y + beta·result` for rows `range` of this matrix as A (b×n)
    /// and Y (n×q) given row-major with row stride `q`: each value adds a multiple of one
    /// row of Y, so the work is nnz·q.
    @inlinable func multiply(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T, beta: T,
                             into result: UnsafeMutablePointer<T>) {
        scaleResult(result, count: range.count * q, beta: beta)
        columnIndices.withUnsafeBufferPointer { indices in
            values.withUnsafeBufferPointer { values in
                for (local, row) in range.enumerated() {
                    let target = result + local * q
                    for position in offsets[row]..<offsets[row + 1] {
                        let source = y + Int(indices[position]) * q
                        let factor = alpha * values[position]
                        for column in 0..<q { target[column] += factor * source[column] }
                    }
                }
            }
        }
    }

    /// `result (n×q) ← alpha·Aᵀ·Y + beta·result` for rows `range` as A (b×n) and Y (b×q)
    /// row-major: each value adds a multiple of a row of Y to the row of its column.
    @inlinable func multiplyTransposed(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T,
                                       beta: T, into result: UnsafeMutablePointer<T>) {
        scaleResult(result, count: columns * q, beta: beta)
        columnIndices.withUnsafeBufferPointer { indices in
            values.withUnsafeBufferPointer { values in
                for (local, row) in range.enumerated() {
                    let source = y + local * q
                    for position in offsets[row]..<offsets[row + 1] {
                        let target = result + Int(indices[position]) * q
                        let factor = alpha * values[position]
                        for column in 0..<q { target[column] += factor * source[column] }
                    }
                }
            }
        }
    }

    @inlinable func scaleResult(_ result: UnsafeMutablePointer<T>, count: Int, beta: T) {
        if beta == 0 {
            result.update(repeating: 0, count: count)
        } else if beta != 1 {
            for index in 0..<count { result[index] *= beta }
        }
    }
}
