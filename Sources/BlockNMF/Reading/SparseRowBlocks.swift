import Dispatch
import Foundation
import HDF5Store
import NMFKernels

/// V streamed from a sparse group (`SparseRowSource`: AnnData's CSR, 10x's CSC read as its
/// transpose). Blocks are whole tiles cut by their number of values, not rows, so a block's
/// memory follows the budget whatever the rows' density; they are read one ahead of the
/// engine (`ReadAhead`). V that fits is read once and kept.
///
/// Tiles are taller than dense ones (`TileSchedule.sparseRowsPerTile`). Each tile's rows enter
/// the kernels through `MatrixRows` over `CompressedRows`: products with V and W·H at its values
/// are formed from them; the few computations that need dense rows (β-divergences other than
/// Frobenius and Kullback-Leibler) take them 256 rows at a time.
package final class SparseRowBlocks<Element: NMFScalar & HDF5Scalar>: RowBlockProvider, MatrixReader,
    @unchecked Sendable
{
    package let rows: Int
    package let columns: Int
    package let sourceDescription: String
    /// First row of each block, and the end.
    package let blockBounds: [Int]
    package let rowsPerTile: Int
    /// Where blocks are read from; nil when V was made in memory and is kept (`resident`).
    private let source: SparseRowSource<Element>?
    private var resident: CompressedRows<Element>?
    private let statistics = ReadStatistics()
    // HDF5 is not thread-safe: once passes start (V kept in memory is read before), V is read
    // on this queue only.
    private let reader = DispatchQueue(label: "blocknmf.sparse-reader")
    private let permits = Locked<BufferPermits?>(nil)

    /// Blocks of whole tiles holding at most `valuesPerBlock` values each (a tile with more
    /// is a block of its own), or of `blockRows` rows; with neither, V is read once and kept.
    package init(source: SparseRowSource<Element>, valuesPerBlock: Int?, blockRows: Int?,
                sourceDescription: String) throws {
        self.source = source
        rows = source.rows
        columns = source.columns
        self.sourceDescription = sourceDescription
        let tile = TileSchedule.sparseRowsPerTile(rows: rows, columns: columns, nonZeros: source.nonZeros)
        rowsPerTile = tile
        var bounds = [0]
        if let blockRows {
            precondition(blockRows % tile == 0, "blocks are whole tiles")
            bounds += stride(from: blockRows, to: rows, by: blockRows)
        } else if let valuesPerBlock {
            var start = 0
            for end in stride(from: tile, to: rows, by: tile) {
                if source.nonZeros(in: start..<min(end + tile, rows)) > valuesPerBlock {
                    bounds.append(end)
                    start = end
                }
            }
        }
        if rows > 0 { bounds.append(rows) }
        blockBounds = bounds
        if valuesPerBlock == nil && blockRows == nil { resident = try read(0..<rows) }
    }

    /// V made in memory (a column-compressed group put in row order), kept as it is;
    /// `bytesRead` and `readSeconds` are what making it took.
    package init(resident: CompressedRows<Element>, bytesRead: Int, readSeconds: Double, sourceDescription: String) {
        source = nil
        rows = resident.rows
        columns = resident.columns
        self.sourceDescription = sourceDescription
        rowsPerTile = TileSchedule.sparseRowsPerTile(rows: rows, columns: columns, nonZeros: resident.values.count)
        blockBounds = rows > 0 ? [0, rows] : [0]
        self.resident = resident
        statistics.add(bytes: bytesRead, seconds: readSeconds)
    }

    package var bytesRead: Int { statistics.snapshot.bytes }
    package var readSeconds: Double { statistics.snapshot.seconds }
    package var readsInPlace: Bool { false }

    package func forEachBlock(from start: Int, recycling: Bool,
                             _ body: (Int, MatrixRows<Element>) throws -> Void) throws {
        guard start < rows else { return }
        if let resident {
            try body(start, MatrixRows(resident, rows: start..<rows))
            return
        }
        let ranges = zip(blockBounds, blockBounds.dropFirst()).filter { $0.1 > start }.map { max($0.0, start)..<$0.1 }
        try ReadAhead.run(ranges, on: reader, recycling: recycling, permits: permits, read: { [self] range in
            MatrixRows(try read(range), rows: 0..<range.count)
        }, body)
    }

    package func checkUnchanged() throws {
        if resident == nil { try source?.file.checkUnchanged() }
    }

    package func recycle(_ block: MatrixRows<Element>) {
        if resident == nil { permits.withLock { $0?.release() } }
    }

    package func readRows(_ range: Range<Int>) throws -> [Element] {
        let (sparse, local) = try resident.map { ($0, range) } ?? reader.sync { (try read(range), 0..<range.count) }
        return [Element](unsafeUninitializedCapacity: range.count * columns) { buffer, initialized in
            sparse.densify(local, into: buffer)
            initialized = range.count * columns
        }
    }

    package func sampleRows(_ ranges: [Range<Int>]) throws -> Matrix<Element> {
        var elements: [Element] = []
        elements.reserveCapacity(ranges.reduce(0) { $0 + $1.count } * columns)
        for range in ranges {
            let (sparse, local) = try resident.map { ($0, range) } ?? reader.sync { (try read(range), 0..<range.count) }
            elements += MatrixRows(sparse, rows: local).denseElements
        }
        try checkUnchanged()
        return Matrix(rows: elements.count / max(columns, 1), columns: columns, elements: elements)
    }

    private func read(_ range: Range<Int>) throws -> CompressedRows<Element> {
        guard let source else { preconditionFailure("V made in memory is resident") }
        let clock = Stopwatch()
        let (offsets, columnIndices, values) = try source.readRows(range)
        statistics.add(bytes: values.count * (MemoryLayout<Element>.stride + MemoryLayout<Int32>.stride),
                       seconds: clock.elapsedSeconds)
        return CompressedRows(columns: columns, offsets: offsets, columnIndices: columnIndices, values: values)
    }
}
