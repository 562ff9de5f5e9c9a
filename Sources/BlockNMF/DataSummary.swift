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
    public let minimum: Double

    public var mean: Double { sum / Double(rows * columns) }

    /// Reads V once. The first bad entry in row-major order stops the scan with its
    /// position, so nothing is computed (or written) from invalid data.
    public static func scan<P: RowBlockProvider>(_ data: P) throws -> DataSummary {
        guard data.rows > 0, data.columns > 0 else {
            throw NMFError.emptyInput(source: data.sourceDescription, rows: data.rows, columns: data.columns)
        }
        var sum = 0.0, squares = 0.0, minimum = Double.infinity
        let n = data.columns
        try data.forEachBlock { firstRow, block in
            for (offset, element) in block.elements.enumerated() {
                let value = Double(element)
                // One comparison admits the common case; the rare bad value is classified after.
                if !(value >= 0 && value.isFinite) {
                    let row = firstRow + offset / n, column = offset % n
                    if value.isFinite {
                        throw NMFError.negativeValue(source: data.sourceDescription, row: row,
                                                     column: column, value: value)
                    }
                    throw NMFError.notFinite(source: data.sourceDescription, row: row,
                                             column: column, value: value)
                }
                sum += value
                squares += value * value
                minimum = Swift.min(minimum, value)
            }
        }
        return DataSummary(rows: data.rows, columns: data.columns, sum: sum,
                           squaredNorm: squares, minimum: minimum)
    }
}
