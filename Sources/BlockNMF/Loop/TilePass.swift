import Dispatch
import Foundation
import NMFKernels

/// The fixed unit of work and of summation: rows [256·j, 256·(j+1)) form tile j.
///
/// Partial sums (WᵀV, WᵀW, the statistics, the SVD's products) are formed per
/// tile and added in tile order, so every result depends on this constant only:
/// not on the I/O block size, the memory budget, the number of threads, or
/// whether V was in memory or streamed. 256 rows of a few thousand columns also
/// stay in cache between a tile's two products, so V crosses the memory bus once.
///
/// Sparse V has taller tiles, fixed by its shape and number of values (`sparseRowsPerTile`):
/// a tile's partials hold k·n values whatever its density, so a tile must hold several
/// times n values for the work at its values to outweigh them.
public enum TileSchedule {
    public static let rowsPerTile = 256

    static func tiles(in rows: Range<Int>, rowsPerTile: Int = rowsPerTile) -> [Range<Int>] {
        stride(from: rows.lowerBound, to: rows.upperBound, by: rowsPerTile).map {
            $0..<min($0 + rowsPerTile, rows.upperBound)
        }
    }

    /// Rows of a tile of sparse V (m×n with `nonZeros` values): 256 rows times the least
    /// power of two that brings a tile of average rows to `valuesPerColumn`·n values, at
    /// most 64 times 256. The same for any layout, block size or budget.
    public static func sparseRowsPerTile(rows: Int, columns: Int, nonZeros: Int) -> Int {
        let valuesPerRow = max(Double(nonZeros) / Double(max(rows, 1)), 1e-9)
        var tile = rowsPerTile
        while Double(tile) * valuesPerRow < Double(valuesPerColumn * columns) && tile < 64 * rowsPerTile { tile *= 2 }
        return tile
    }

    /// Values a sparse tile holds per column of V, at least.
    static let valuesPerColumn = 32

    /// Rows [0, count) of a tile in pieces of at most 256, for work that needs a tile's rows
    /// dense (its memory then stays that of a dense tile); a dense tile is one piece.
    static func denseChunks(of count: Int) -> [Range<Int>] { tiles(in: 0..<count) }
}

/// One pass over V's tiles on several workers, with partials combined in tile order.
///
/// The calling thread takes each block from the provider, cuts it into tiles,
/// `prepare`s each tile's input (e.g. copies its rows of W), and hands the tile to a
/// worker, which runs `compute`; results are `combine`d back on the calling thread
/// strictly in tile order through a small reorder window. At most `threads` tiles
/// compute at once, at most `4·threads` wait to be combined, and their tiles come
/// from at most `maxBlocksHeld` blocks: with the reader's block being read and the one
/// it has ready, that is `StreamPlan.buffers` blocks, the budget's count.
struct TilePass<Data: RowBlockProvider> {
    typealias T = Data.Element
    /// The block being cut into tiles and the previous one, whose last tiles may still compute.
    static var maxBlocksHeld: Int { 2 }
    let data: Data
    let threads: Int

    /// One pass from row `start` (a tile boundary; 0 but for a pass resumed part-way).
    func run<Job: Sendable, Partial: Sendable>(
        from start: Int = 0,
        prepare: (Range<Int>) throws -> Job,
        compute: @escaping @Sendable (Job, MatrixRows<T>) throws -> Partial,
        combine: (Range<Int>, Partial) throws -> Void
    ) throws {
        let window = ReorderWindow<Partial>()
        let maxPending = 4 * max(1, threads)
        // Tiles submitted but not yet combined; a tile that ends its block also holds
        // the block, handed back to the provider once that tile is combined.
        var pending: [Int: (range: Range<Int>, finishesBlock: MatrixRows<T>?)] = [:]
        var submitted = 0, combined = 0, blocksHeld = 0

        func combineOldest(_ result: Result<Partial, any Error>) throws {
            var entry = pending.removeValue(forKey: combined)!
            combined += 1
            if let block = entry.finishesBlock.take() {
                blocksHeld -= 1
                data.recycle(consume block)
            }
            try combine(entry.range, try result.get())
        }

        do {
            try data.forEachBlock(from: start, recycling: true) { firstRow, block in
                try data.checkUnchanged()
                blocksHeld += 1
                let local = TileSchedule.tiles(in: 0..<block.rows, rowsPerTile: data.rowsPerTile)
                for (position, tile) in local.enumerated() {
                    while case .combine(let result) = window.nextStep(
                        combined: combined, submitted: submitted, threads: threads, maxPending: maxPending) {
                        try combineOldest(result)
                    }
                    let global = (firstRow + tile.lowerBound)..<(firstRow + tile.upperBound)
                    let job = try prepare(global)
                    let index = submitted
                    submitted += 1
                    pending[index] = (global, position == local.count - 1 ? block : nil)
                    let input = TileInput(block.rows(tile))
                    DispatchQueue.global().async {
                        // The tile (and with it the block) is let go before the result is
                        // published, so a block handed back for reuse is referenced by nobody.
                        let result: Result<Partial, any Error> = {
                            let rows = input.take()
                            return Result { try compute(job, rows) }
                        }()
                        window.put(index, result)
                    }
                }
                // Before asking for the next block, let go of the previous one: the reader
                // then refills the buffer just freed instead of allocating another.
                while blocksHeld >= Self.maxBlocksHeld { try combineOldest(window.take(combined)) }
            }
            while combined < submitted { try combineOldest(window.take(combined)) }
            // The last tiles have read their rows: a file truncated under them shows now.
            try data.checkUnchanged()
        } catch {
            // Let every submitted tile finish before the pass's inputs go away.
            while combined < submitted { _ = window.take(combined); combined += 1 }
            throw error
        }
    }
}

/// A tile handed to a worker, which takes it out so that the closure keeps no
/// reference to the block once the work is done.
private final class TileInput<T: NMFScalar>: @unchecked Sendable {
    private var rows: MatrixRows<T>?

    init(_ rows: MatrixRows<T>) { self.rows = rows }

    func take() -> MatrixRows<T> {
        defer { rows = nil }
        return rows!
    }
}

/// Results that finish in any order, taken in index order, and the count of
/// tiles still computing.
private final class ReorderWindow<Partial: Sendable>: @unchecked Sendable {
    enum Step {
        case combine(Result<Partial, any Error>)
        /// A worker is free: the caller submits one tile (already counted as running).
        case submit
    }

    private let condition = NSCondition()
    private var ready: [Int: Result<Partial, any Error>] = [:]
    private var running = 0

    func put(_ index: Int, _ result: Result<Partial, any Error>) {
        condition.lock()
        ready[index] = result
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the oldest tile can be combined or a worker is free for one more.
    func nextStep(combined: Int, submitted: Int, threads: Int, maxPending: Int) -> Step {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = ready.removeValue(forKey: combined) { return .combine(result) }
            if running < threads && submitted - combined < maxPending {
                running += 1
                return .submit
            }
            condition.wait()
        }
    }

    func take(_ index: Int) -> Result<Partial, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let result = ready.removeValue(forKey: index) { return result }
            condition.wait()
        }
    }
}
