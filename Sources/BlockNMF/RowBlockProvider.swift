import NMFKernels

/// A non-negative data matrix V (m×n) delivered as consecutive row blocks, in
/// order, once per call: the only way the engine sees V.
///
/// The block partition must be the same on every call, so that per-block
/// partial sums, and therefore the result, are the same on every pass.
public protocol RowBlockProvider<Element> {
    associatedtype Element: NMFScalar
    var rows: Int { get }
    var columns: Int { get }
    /// Names the data in error messages, e.g. `data.h5:/X`.
    var sourceDescription: String { get }
    func forEachBlock(_ body: (_ firstRow: Int, _ block: Matrix<Element>) throws -> Void) throws
}

/// A matrix in memory, handed out in blocks of `blockRows` rows (all rows by default).
public struct InMemoryRowBlocks<Element: NMFScalar>: RowBlockProvider {
    public let matrix: Matrix<Element>
    public let blockRows: Int
    public let sourceDescription: String

    public init(_ matrix: Matrix<Element>, blockRows: Int? = nil, sourceDescription: String = "input matrix") {
        self.matrix = matrix
        self.blockRows = max(1, blockRows ?? matrix.rows)
        self.sourceDescription = sourceDescription
    }

    public var rows: Int { matrix.rows }
    public var columns: Int { matrix.columns }

    public func forEachBlock(_ body: (Int, Matrix<Element>) throws -> Void) throws {
        if blockRows >= matrix.rows {
            try body(0, matrix)
            return
        }
        for start in stride(from: 0, to: matrix.rows, by: blockRows) {
            try body(start, matrix.rows(start..<min(start + blockRows, matrix.rows)))
        }
    }
}

extension RowBlockProvider {
    /// V as a linear operator: each product is one pass over the blocks.
    var linearOperator: LinearOperator<Element> {
        LinearOperator(
            rows: rows, columns: columns,
            multiply: { y in
                var result = Matrix<Element>(rows: rows, columns: y.columns)
                try forEachBlock { first, block in
                    result.replaceRows(startingAt: first, with: Matrix.product(block, y))
                }
                return result
            },
            multiplyTransposed: { y in
                var result = Matrix<Element>(rows: columns, columns: y.columns)
                try forEachBlock { first, block in
                    result.add(Matrix.product(block, y.rows(first..<(first + block.rows)),
                                              transA: .transposed))
                }
                return result
            })
    }
}
