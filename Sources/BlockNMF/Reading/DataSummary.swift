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

    static func scan<P: RowBlockProvider>(_ data: P, threads: Int, stop: (() -> StopReason?)?,
                                          reduction: some Reduction = LocalReduction()) throws -> DataSummary {
        guard data.rows > 0, data.columns > 0 else {
            throw NMFError.emptyInput(source: data.sourceDescription, rows: data.rows, columns: data.columns)
        }
        let source = data.sourceDescription
        let window = data.window
        let statistics = try TilePass(data: data, threads: threads).sum(
            ScanStatistics(), reduction: reduction,
            prepare: { range in window.firstRow + range.lowerBound },
            compute: { firstRow, tile in try TileStatistics(tile, firstRow: firstRow, source: source) },
            beforeEach: { if let reason = stop?() { throw LoopStopped(reason: reason, state: (0, 0)) } })
        let (sum, squares, firstZero) = (statistics.sum, statistics.squares, statistics.firstZero)
        // ‖V‖² is the constant of the Frobenius loss, and every product of V is bounded by it.
        guard squares.isFinite else { throw NMFError.overflow(source: source, precision: Double.precisionName) }
        return DataSummary(rows: window.totalRows, columns: data.columns, sum: sum, squaredNorm: squares,
                           firstZero: firstZero)
    }
}

/// The scan's sums over V, and the first zero entry in row-major order.
private struct ScanStatistics: PassStatistics {
    var sum = 0.0, squares = 0.0
    var firstZero: MatrixPosition?

    mutating func add(_ tile: TileStatistics) {
        sum += tile.sum
        squares += tile.squares
        if firstZero == nil { firstZero = tile.firstZero }
    }

    mutating func add(following later: ScanStatistics) {
        sum += later.sum
        squares += later.squares
        if firstZero == nil { firstZero = later.firstZero }
    }

    func encode(into buffer: inout StatisticsBuffer) {
        buffer.append(sum)
        buffer.append(squares)
        buffer.append(firstZero?.row ?? -1)
        buffer.append(firstZero?.column ?? -1)
    }

    init() {}

    init?(decoding reader: inout StatisticsReader, shapedLike _: ScanStatistics) {
        guard let sum = reader.double(), let squares = reader.double(), let row = reader.integer(),
              let column = reader.integer() else { return nil }
        (self.sum, self.squares) = (sum, squares)
        firstZero = row < 0 ? nil : MatrixPosition(row: row, column: column)
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
