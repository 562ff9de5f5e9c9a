import HDF5Store

/// How V is held during a fit: all of it in memory when it fits the budget
/// comfortably, otherwise streamed in blocks whose buffers fit the budget.
public struct StreamPlan: Sendable, Equatable, Codable {
    public enum Mode: String, Sendable, Codable {
        /// Read once, kept in memory.
        case resident
        /// Read again on every pass.
        case streamed
    }

    public let mode: Mode
    /// Rows per read (for sparse input, the most a block holds).
    public let blockRows: Int
    /// For sparse input streamed: the values a block holds at most (blocks are cut by
    /// values, a whole tile at a time; a tile with more is a block of its own).
    public var valuesPerBlock: Int? = nil
    /// For a column-compressed sparse matrix: how it was put in row order first.
    public var rowOrder: RowOrder? = nil
    /// `--block-rows` as given, when it set the blocks: `blockRows` is it in whole tiles.
    public var requestedBlockRows: Int? = nil
    /// Buffers of `blockRows` rows alive at once: one being read, one read ahead,
    /// one being cut into tiles, one whose last tiles are still computing.
    public static let buffers = 4

    /// The plan for an m×n dataset (resident when V takes at most half the budget) read as `elementBytes`-sized values (stored as
    /// `storedBytes`-sized ones, chunked by `chunkRows` when chunked).
    ///
    /// Streamed memory: 4 blocks of buffers plus the chunk cache, which holds every
    /// chunk a block touches (one row of chunks more than the block, twice at worst
    /// for a block that cuts chunks at both ends). Blocks are whole tiles and, where
    /// the budget allows, whole rows of chunks.
    public static func make(
        rows: Int, columns: Int, elementBytes: Int, storedBytes: Int, chunkRows: Int?,
        chunksCached: Bool = true, budget: MemoryBudget, blockRowsOverride: Int? = nil, source: String
    ) throws -> StreamPlan {
        guard rows > 0, columns > 0 else {
            throw NMFError.emptyInput(source: source, rows: rows, columns: columns)
        }
        let tile = TileSchedule.rowsPerTile
        let rowBytes = columns * elementBytes
        let storedRowBytes = columns * storedBytes
        // Unfiltered chunks are read straight into the buffers, without a cache.
        let cachedChunkRows = chunksCached ? chunkRows : nil
        let chunkReserve = 2 * (cachedChunkRows ?? 0) * storedRowBytes
        if let override = blockRowsOverride { return try overridden(override, rows: rows, tile: tile) }
        // V that fits in half the budget is read once and kept.
        let resident = rows * rowBytes <= budget.bytes / 2
        let perRow = buffers * rowBytes + (cachedChunkRows == nil ? 0 : storedRowBytes)
        let available = budget.bytes - chunkReserve
        let smallestBlock = min(rows, tile)
        let minimumBytes = smallestBlock * perRow + chunkReserve
        guard resident || (available > 0 && available / perRow >= smallestBlock) else {
            throw NMFError.budgetTooSmall(source: source, budget: budget.bytes, needed: minimumBytes,
                                          chunkRows: cachedChunkRows)
        }
        var blockRows = max(tile, (max(available, 0) / perRow / tile) * tile)
        if let chunkRows, chunkRows > 0 {
            let unit = leastCommonMultiple(chunkRows, tile)
            if blockRows >= unit { blockRows = (blockRows / unit) * unit }
        }
        blockRows = min(blockRows, roundUp(rows, to: tile))
        return StreamPlan(mode: resident ? .resident : .streamed, blockRows: blockRows)
    }

    /// The plan for a dense dataset of `storedType` values read as `elementBytes`-sized ones:
    /// what `factor` and `transform` make, and what `info` says they would make. Unfiltered
    /// chunks are read straight into the buffers, so only filtered ones need a cache.
    static func dense(rows: Int, columns: Int, storedType: ElementType, chunkRows: Int?, filtered: Bool,
                      elementBytes: Int, budget: MemoryBudget, blockRowsOverride: Int? = nil,
                      source: String) throws -> StreamPlan {
        try make(rows: rows, columns: columns, elementBytes: elementBytes, storedBytes: max(1, storedType.bits / 8),
                 chunkRows: chunkRows, chunksCached: filtered, budget: budget, blockRowsOverride: blockRowsOverride,
                 source: source)
    }

    /// The plan for a sparse m×n matrix of `nonZeros` values, each stored with a 4-byte
    /// column index: resident when it takes at most half the budget, else blocks of at most a
    /// sixteenth of the budget and 32 MiB each (`buffers` of them alive at once), in whole
    /// sparse tiles.
    public static func sparse(rows: Int, columns: Int, nonZeros: Int, elementBytes: Int, budget: MemoryBudget,
                              blockRowsOverride: Int? = nil, source: String) throws -> StreamPlan {
        guard rows > 0, columns > 0 else { throw NMFError.emptyInput(source: source, rows: rows, columns: columns) }
        let tile = TileSchedule.sparseRowsPerTile(rows: rows, columns: columns, nonZeros: nonZeros)
        if let override = blockRowsOverride { return try overridden(override, rows: rows, tile: tile) }
        let valueBytes = elementBytes + MemoryLayout<Int32>.stride
        if nonZeros * valueBytes + (rows + 1) * MemoryLayout<Int>.stride <= budget.bytes / 2 {
            return StreamPlan(mode: .resident, blockRows: roundUp(rows, to: tile))
        }
        // Blocks of a sixteenth of the budget: the first block of a pass, read before any
        // work can start, is then a small part of the pass. And at most 32 MiB: glibc's malloc
        // serves larger arrays with fresh mappings and unmaps them when freed, so every block
        // of every pass would fault its pages in again, each one zeroed by the kernel (a
        // tenth of a streamed pass's time). Smaller arrays are reused from its heap.
        let values = max(1, min(budget.bytes / 16, Self.largestSparseBlockBytes) / valueBytes)
        let rowsPerBlock = Int(Double(values) / max(Double(nonZeros) / Double(rows), 1e-9))
        return StreamPlan(mode: .streamed, blockRows: min(max(tile, (rowsPerBlock / tile) * tile), roundUp(rows, to: tile)),
                          valuesPerBlock: values)
    }

    /// The most a streamed sparse block holds, values and column indices together.
    static let largestSparseBlockBytes = 32 << 20

    /// `--block-rows`: streamed, in whole tiles (rounded down, at least one), no more than V holds.
    private static func overridden(_ blockRows: Int, rows: Int, tile: Int) throws -> StreamPlan {
        guard blockRows >= 1 else {
            throw NMFError.invalidParameter(name: "block-rows", value: "\(blockRows)", requirement: "must be at least 1")
        }
        return StreamPlan(mode: .streamed, blockRows: min(max(tile, (blockRows / tile) * tile), roundUp(rows, to: tile)),
                          requestedBlockRows: blockRows)
    }

    private static func roundUp(_ value: Int, to multiple: Int) -> Int {
        ((value + multiple - 1) / multiple) * multiple
    }

    private static func leastCommonMultiple(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}
