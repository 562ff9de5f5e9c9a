import Dispatch
import Foundation
import HDF5Store
import NMFKernels

/// V streamed from a dense HDF5 dataset: blocks are read ahead on one reader
/// queue, which makes every HDF5 call of the pass, into a small pool of reused
/// buffers, while the engine computes on the previous blocks.
///
/// When the rows are stored uncompressed in the working type, the file is also mapped into
/// memory (`MappedRows`), and a block whose pages are all in the page cache is used where
/// it lies: the reader maps its pages ahead of the engine, and the copy into a buffer, which
/// costs a core's time per pass, is saved. A block not in the page cache is read into a
/// buffer as usual: one large read beats faulting its pages in from the disk.
package final class HDF5RowBlocks<Element: NMFScalar & HDF5Scalar>: RowBlockProvider, MatrixReader, @unchecked Sendable {
    package let rows: Int
    package let columns: Int
    package let sourceDescription: String
    package let blockRows: Int
    private let source: DenseRowBlockSource<Element>
    // HDF5 is not thread-safe: this serial queue is the only place it is called from
    // once the source is open.
    private let reader = DispatchQueue(label: "blocknmf.hdf5-reader")
    private let pool = BufferPool<Element>()
    /// The rows mapped into memory, when the layout allows.
    private let mapped: MappedRows<Element>?
    private let statistics = ReadStatistics()
    /// The running pass's buffer permits, when its consumer recycles blocks.
    private let permits = Locked<BufferPermits?>(nil)

    package init(source: DenseRowBlockSource<Element>, blockRows: Int, sourceDescription: String) throws {
        precondition(blockRows % TileSchedule.rowsPerTile == 0, "blocks are whole tiles")
        self.source = source
        self.rows = source.rows
        self.columns = source.columns
        self.blockRows = blockRows
        self.sourceDescription = sourceDescription
        try source.setChunkCache(blockRows: blockRows)
        mapped = try source.mappedRows()
    }

    /// Whether the file is mapped, so that blocks in the page cache are used in place.
    package var readsInPlace: Bool { mapped != nil }

    /// Bytes delivered and seconds spent reading (HDF5 read and conversion) so far.
    package var bytesRead: Int { statistics.snapshot.bytes }
    package var readSeconds: Double { statistics.snapshot.seconds }

    package func forEachBlock(from firstRow: Int, recycling: Bool,
                             _ body: (Int, MatrixRows<Element>) throws -> Void) throws {
        let (source, pool, statistics, columns, mapped) = (self.source, self.pool, self.statistics, self.columns, self.mapped)
        let ranges = stride(from: firstRow, to: rows, by: blockRows).map { $0..<min($0 + blockRows, rows) }
        try ReadAhead.run(ranges, on: reader, recycling: recycling, permits: permits, read: { range in
            let clock = Stopwatch()
            let block: MatrixRows<Element>
            if let mapped, mapped.isCached(rows: range) {
                mapped.load(rows: range)
                block = MatrixRows(mapped, rows: range, columns: columns)
            } else {
                var buffer = pool.take(count: range.count * columns)
                do {
                    try source.readRows(range, into: &buffer)
                } catch {
                    // A file cut short under the reader looks damaged to HDF5: say what happened.
                    try source.file.checkUnchanged()
                    throw error
                }
                block = MatrixRows(Matrix(rows: range.count, columns: columns, elements: buffer))
            }
            statistics.add(bytes: range.count * columns * MemoryLayout<Element>.stride, seconds: clock.elapsedSeconds)
            return block
        }, body)
    }

    /// Rows `range` of V, read at once (a few rows, e.g. to fingerprint the input).
    package func readRows(_ range: Range<Int>) throws -> [Element] {
        var elements = [Element](repeating: 0, count: range.count * columns)
        let source = self.source
        try reader.sync { try source.readRows(range, into: &elements) }
        return elements
    }

    package func sampleRows(_ ranges: [Range<Int>]) throws -> Matrix<Element> {
        try read(ranges)
    }

    /// All of V in one matrix, read block by block into place.
    package func readAll() throws -> Matrix<Element> {
        try read(stride(from: 0, to: rows, by: blockRows).map { $0..<min($0 + blockRows, rows) })
    }

    /// The rows of `ranges`, one after the other, read into one matrix and counted in `bytesRead`.
    private func read(_ ranges: [Range<Int>]) throws -> Matrix<Element> {
        let count = ranges.reduce(0) { $0 + $1.count }
        var elements = BufferPool<Element>.allocate(count: count * columns)
        let (source, columns) = (self.source, self.columns)
        let clock = Stopwatch()
        try reader.sync {
            var offset = 0
            for range in ranges {
                try source.readRows(range, into: &elements, startingAt: offset)
                offset += range.count * columns
            }
        }
        statistics.add(bytes: count * columns * MemoryLayout<Element>.stride, seconds: clock.elapsedSeconds)
        try checkUnchanged()
        return Matrix(rows: count, columns: columns, elements: elements)
    }

    package func checkUnchanged() throws {
        if let mapped, mapped.hasFaulted {
            // The file's own status says how; the mapping alone knows only that it was cut short.
            try source.file.checkUnchanged()
            throw HDF5StoreError.changedDuringRun(path: source.file.path, detail: "truncated")
        }
        try source.file.checkUnchanged()
    }

    package func recycle(_ block: MatrixRows<Element>) {
        if let matrix = block.matrix {
            pool.give(matrix.elements)
        } else {
            mapped?.release(rows: block.range)
        }
        permits.withLock { $0?.release() }
    }
}

/// Full-size block buffers kept for reuse: a pass allocates (and the kernel zeroes)
/// its few buffers once, not every block.
private final class BufferPool<Element: NMFScalar>: @unchecked Sendable {
    private let lock = NSLock()
    private var free: [[Element]] = []

    static func allocate(count: Int) -> [Element] {
        // Every element is overwritten by the read.
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// A buffer of `count` elements, reusing one given back when its capacity allows
    /// (the last, shorter block of a pass reuses a full one).
    func take(count: Int) -> [Element] {
        lock.lock()
        var buffer = free.popLast()
        lock.unlock()
        guard var reused = buffer.take(), reused.capacity >= count else { return Self.allocate(count: count) }
        if reused.count > count {
            reused.removeLast(reused.count - count)
        } else if reused.count < count {
            reused.append(contentsOf: repeatElement(0, count: count - reused.count))
        }
        return reused
    }

    func give(_ buffer: [Element]) {
        lock.lock()
        if free.count < StreamPlan.buffers { free.append(buffer) }
        lock.unlock()
    }
}

/// Running totals of what the reader delivered.
final class ReadStatistics: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = 0
    private var seconds = 0.0

    func add(bytes: Int, seconds: Double) {
        lock.lock()
        self.bytes += bytes
        self.seconds += seconds
        lock.unlock()
    }

    var snapshot: (bytes: Int, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        return (bytes, seconds)
    }
}

extension MappedRows: BorrowedElements {}
