import NMFKernels

/// A non-negative data matrix V (m×n) delivered as consecutive row blocks, in
/// order, once per call: the only way the engine sees V. A block is rows used in
/// place: of a matrix, or of a file mapped into memory.
///
/// Every block but the last must hold a multiple of `rowsPerTile` rows, so that tiles
/// never straddle blocks.
public protocol RowBlockProvider<Element> {
    associatedtype Element: NMFScalar
    var rows: Int { get }
    var columns: Int { get }
    /// Names the data in error messages, e.g. `data.h5:/X`.
    var sourceDescription: String { get }
    /// Rows per tile: `TileSchedule.rowsPerTile`, or more for sparse V.
    var rowsPerTile: Int { get }
    /// Where these rows sit in the whole of V (all of it, unless a process reads a share).
    var window: RowWindow { get }
    /// Calls `body` with each block in order, from row `start` (a multiple of
    /// `rowsPerTile`: a pass resumed part-way) to the end. With `recycling`,
    /// the caller hands every block back through `recycle` once it and the work it
    /// started are done with it, and the provider may hold the number of live blocks to
    /// its buffers; without, a block is the caller's once given.
    func forEachBlock(from start: Int, recycling: Bool,
                      _ body: (_ firstRow: Int, _ block: MatrixRows<Element>) throws -> Void) throws
    /// Takes back a block the engine has finished with, so its storage can be reused.
    func recycle(_ block: MatrixRows<Element>)
    /// Rows `ranges` (ascending, disjoint, within V) read now into one dense matrix, in
    /// order: a sample of V (`RowSample`), counted as read like the blocks of a pass.
    func sampleRows(_ ranges: [Range<Int>]) throws -> Matrix<Element>
    /// Throws when the blocks given so far may not be V: its file was truncated or rewritten
    /// by another program since it was opened (a pass asks after each block and at its end,
    /// before anything computed from them is used).
    func checkUnchanged() throws
}

extension RowBlockProvider {
    public func recycle(_ block: MatrixRows<Element>) {}

    public func checkUnchanged() throws {}

    public var rowsPerTile: Int { TileSchedule.rowsPerTile }

    /// Walks the blocks from each range's tile and stops after its last row: a provider
    /// that can read rows where they lie does better.
    public func sampleRows(_ ranges: [Range<Int>]) throws -> Matrix<Element> {
        var elements: [Element] = []
        elements.reserveCapacity(ranges.reduce(0) { $0 + $1.count } * columns)
        for range in ranges where !range.isEmpty {
            do {
                try forEachBlock(from: range.lowerBound - range.lowerBound % rowsPerTile, recycling: false) { first, block in
                    let wanted = max(range.lowerBound, first)..<min(range.upperBound, first + block.rows)
                    if !wanted.isEmpty {
                        elements += block.rows((wanted.lowerBound - first)..<(wanted.upperBound - first)).denseElements
                    }
                    if first + block.rows >= range.upperBound { throw SampleComplete() }
                }
            } catch is SampleComplete {}
        }
        return Matrix(rows: elements.count / max(columns, 1), columns: columns, elements: elements)
    }

    public var window: RowWindow { .whole(rows: rows) }

    public func forEachBlock(_ body: (_ firstRow: Int, _ block: MatrixRows<Element>) throws -> Void) throws {
        try forEachBlock(from: 0, recycling: false, body)
    }
}

/// Ends a walk over the blocks once a sample's rows are read.
private struct SampleComplete: Error {}

/// A matrix in memory, handed out whole.
public struct InMemoryRowBlocks<Element: NMFScalar>: RowBlockProvider {
    public let matrix: Matrix<Element>
    public let sourceDescription: String

    public init(_ matrix: Matrix<Element>, sourceDescription: String = "input matrix") {
        self.matrix = matrix
        self.sourceDescription = sourceDescription
    }

    public var rows: Int { matrix.rows }
    public var columns: Int { matrix.columns }

    public func forEachBlock(from start: Int, recycling _: Bool,
                             _ body: (Int, MatrixRows<Element>) throws -> Void) throws {
        guard start < rows else { return }
        try body(start, MatrixRows(matrix, rows: start..<rows))
    }
}

extension RowBlockProvider {
    /// V as a linear operator: each product is one tile pass over the blocks. Vᵀ·Y sums
    /// over V's rows, through `reduction`; V·Y gives each of this provider's rows its own.
    func linearOperator(threads: Int, reduction: some Reduction = LocalReduction()) -> LinearOperator<Element> {
        LinearOperator(
            rows: rows, columns: columns,
            multiply: { y in
                var result = Matrix<Element>(rows: rows, columns: y.columns)
                try TilePass(data: self, threads: threads).run(
                    prepare: { _ in y },
                    compute: { y, tile in Matrix.product(tile, MatrixRows(y)) },
                    combine: { range, partial in result.replaceRows(startingAt: range.lowerBound, with: partial) })
                return result
            },
            multiplyTransposed: { y in
                try TilePass(data: self, threads: threads).sum(
                    MatrixSum(Matrix<Element>(rows: columns, columns: y.columns)), reduction: reduction,
                    prepare: { range in MatrixRows(y, rows: range) },
                    compute: { yRows, tile in Matrix.product(tile, yRows, transA: .transposed) }).matrix
            })
    }
}

/// A matrix summed over V's tiles (Vᵀ·Y): a tile's share is its own product.
struct MatrixSum<T: NMFScalar>: PassStatistics {
    var matrix: Matrix<T>

    init(_ matrix: Matrix<T>) { self.matrix = matrix }

    mutating func add(_ share: Matrix<T>) { matrix.add(share) }

    mutating func add(following later: MatrixSum) { matrix.add(later.matrix) }

    func encode(into buffer: inout StatisticsBuffer) { buffer.append(matrix) }

    init?(decoding reader: inout StatisticsReader, shapedLike template: MatrixSum) {
        guard let matrix = reader.matrix(like: template.matrix) else { return nil }
        self.matrix = matrix
    }
}
