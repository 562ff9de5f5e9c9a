import BlockNMF
import NMFKernels

/// A matrix in memory handed out in blocks of `blockRows` rows, as a streamed
/// source would deliver it.
struct SplitRowBlocks<Element: NMFScalar>: RowBlockProvider {
    let matrix: Matrix<Element>
    let blockRows: Int
    let sourceDescription = "split matrix"

    init(_ matrix: Matrix<Element>, blockRows: Int) {
        precondition(blockRows % TileSchedule.rowsPerTile == 0, "blocks are whole tiles")
        self.matrix = matrix
        self.blockRows = blockRows
    }

    var rows: Int { matrix.rows }
    var columns: Int { matrix.columns }

    func forEachBlock(from first: Int, recycling _: Bool, _ body: (Int, MatrixRows<Element>) throws -> Void) throws {
        for start in stride(from: first, to: rows, by: blockRows) {
            try body(start, MatrixRows(matrix.rows(start..<min(start + blockRows, rows))))
        }
    }
}
