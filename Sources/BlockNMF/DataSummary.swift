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
    /// The first zero entry in row-major order (row, column), if V has one.
    public let firstZero: MatrixPosition?

    public var mean: Double { sum / Double(rows * columns) }

    public init(rows: Int, columns: Int, sum: Double, squaredNorm: Double, firstZero: MatrixPosition?) {
        self.rows = rows
        self.columns = columns
        self.sum = sum
        self.squaredNorm = squaredNorm
        self.firstZero = firstZero
    }

    /// scikit-learn refuses β ≤ 0 for data with zeros.
    func check(for loss: BetaLoss, source: String) throws(NMFError) {
        if loss.beta <= 0, let zero = firstZero {
            throw .zeroWithNonPositiveBeta(source: source, row: zero.row, column: zero.column, loss: loss)
        }
    }

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
        var firstZero: MatrixPosition?
        let source = data.sourceDescription
        try TilePass(data: data, threads: threads).run(
            prepare: { range in range.lowerBound },
            compute: { firstRow, tile in try TileStatistics(tile, firstRow: firstRow, source: source) },
            combine: { _, tile in
                if let reason = stop?() { throw LoopStopped(reason: reason, state: (0, 0)) }
                sum += tile.sum
                squares += tile.squares
                if firstZero == nil { firstZero = tile.firstZero }
            })
        // ‖V‖² is the constant of the Frobenius loss, and every product of V is bounded by it.
        guard squares.isFinite else { throw NMFError.overflow(source: source, precision: Double.precisionName) }
        return DataSummary(rows: data.rows, columns: data.columns, sum: sum, squaredNorm: squares, firstZero: firstZero)
    }
}

/// Sums over one tile, or the error for its first bad entry.
private struct TileStatistics: Sendable {
    var sum = 0.0, squares = 0.0
    var firstZero: MatrixPosition?

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
        firstZero = statistics.firstZero.map {
            MatrixPosition(row: firstRow + $0 / tile.columns, column: $0 % tile.columns)
        }
    }
}

/// An entry of a matrix.
public struct MatrixPosition: Sendable, Equatable {
    public let row: Int
    public let column: Int
}
