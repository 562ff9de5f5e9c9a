/// The rows of V a provider delivers, placed in the whole matrix: its rows are rows
/// [`firstRow`, `firstRow` + `rows`) of a matrix of `totalRows`. A process that reads only
/// its share of V reports positions (errors, statistics) in the whole matrix's rows.
public struct RowWindow: Sendable, Equatable {
    public let firstRow: Int
    public let rows: Int
    public let totalRows: Int

    public init(firstRow: Int, rows: Int, totalRows: Int) {
        precondition(firstRow >= 0 && rows >= 0 && firstRow + rows <= totalRows, "a window inside the matrix")
        (self.firstRow, self.rows, self.totalRows) = (firstRow, rows, totalRows)
    }

    /// Every row of a matrix of `rows` rows.
    public static func whole(rows: Int) -> RowWindow { RowWindow(firstRow: 0, rows: rows, totalRows: rows) }
}
