import NMFKernels

/// What one validating pass over V learns: the statistics the initializations and
/// the loss need, after checking that every entry is finite and non-negative.
public struct DataSummary: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Σ vᵢⱼ (in Double).
    public let sum: Double
    /// ‖V‖²_F (in Double), the constant term of the Frobenius loss.
    public let squaredNorm: Double

    public var mean: Double { sum / Double(rows * columns) }

    /// Reads V once. The first bad entry in row-major order stops the scan with its
    /// position, so nothing is computed (or written) from invalid data.
    /// `stop` is asked after each tile (a checkpointed run asked to stop gives up the scan).
    public static func scan<P: RowBlockProvider>(_ data: P, threads: Int = 1) throws -> DataSummary {
        try scan(data, threads: threads, stop: nil)
    }

    static func scan<P: RowBlockProvider>(_ data: P, threads: Int, stop: (() -> StopReason?)?) throws -> DataSummary {
        guard data.rows > 0, data.columns > 0 else {
            throw NMFError.emptyInput(source: data.sourceDescription, rows: data.rows, columns: data.columns)
        }
        var sum = 0.0, squares = 0.0
        let source = data.sourceDescription
        try TilePass(data: data, threads: threads).run(
            prepare: { range in range.lowerBound },
            compute: { firstRow, tile in try TileStatistics(tile, firstRow: firstRow, source: source) },
            combine: { _, tile in
                if let reason = stop?() { throw LoopStopped(reason: reason, state: (0, 0)) }
                sum += tile.sum
                squares += tile.squares
            })
        return DataSummary(rows: data.rows, columns: data.columns, sum: sum, squaredNorm: squares)
    }
}

/// Sums over one tile, or the error for its first bad entry.
private struct TileStatistics: Sendable {
    var sum = 0.0, squares = 0.0

    init<T: NMFScalar>(_ tile: MatrixRows<T>, firstRow: Int, source: String) throws {
        let statistics = tile.statistics()
        if let (offset, value) = statistics.firstInvalid {
            let row = firstRow + offset / tile.columns, column = offset % tile.columns
            if value.isFinite {
                throw NMFError.negativeValue(source: source, row: row, column: column, value: value)
            }
            throw NMFError.notFinite(source: source, row: row, column: column, value: value)
        }
        (sum, squares) = (statistics.sum, statistics.squares)
    }
}
