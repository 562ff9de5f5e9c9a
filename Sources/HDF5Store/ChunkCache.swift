import CHDF5

/// Settings of HDF5's per-dataset chunk cache (see H5Pset_chunk_cache).
///
/// HDF5 decompresses a chunk every time it is needed and not in the cache. The default cache
/// (1 MiB) is smaller than a row of chunks of a typical matrix, so a block of rows that cuts
/// through chunks would decompress each of them again for every block it touches. Sizing the
/// cache to every chunk a block can touch makes each chunk decompress once per pass.
public struct ChunkCache: Sendable, Equatable {
    /// Hash-table slots; HDF5 advises a prime about 100 times the number of cached chunks.
    public let slots: Int
    /// Bytes of decompressed chunks held.
    public let bytes: Int
    /// Eviction preference for chunks already fully read (0...1).
    public let preemption: Double

    public init(slots: Int, bytes: Int, preemption: Double) {
        self.slots = slots
        self.bytes = bytes
        self.preemption = preemption
    }

    /// No cache: for chunks stored unfiltered, reads go straight to the caller's buffer.
    static let disabled = ChunkCache(slots: 521, bytes: 0, preemption: 1)

    /// A cache that holds every chunk a block of `blockRows` rows can touch, wherever it starts.
    ///
    /// A block that does not start on a chunk boundary touches one row of chunks more than
    /// `blockRows / chunkRows`, hence the extra row. Chunks read in full are evicted first
    /// (preemption 1): a streaming pass never returns to them, while a chunk cut by the block
    /// boundary is needed again by the next block.
    static func covering(
        blockRows: Int, shape: [Int], chunkShape: [Int], storedElementBytes: Int
    ) -> ChunkCache {
        let chunkRows = max(chunkShape[0], 1)
        let rowsOfChunks = min(
            ceilingDivide(max(blockRows, 1), chunkRows) + 1,
            max(ceilingDivide(shape[0], chunkRows), 1))
        let chunksPerRowOfChunks = zip(shape.dropFirst(), chunkShape.dropFirst())
            .map { max(ceilingDivide($0, max($1, 1)), 1) }
            .reduce(1, *)
        let chunks = rowsOfChunks * chunksPerRowOfChunks
        let chunkBytes = chunkShape.reduce(1, *) * storedElementBytes
        return ChunkCache(slots: prime(atLeast: 100 * chunks), bytes: chunks * chunkBytes, preemption: 1)
    }

    func apply(to accessList: borrowing PropertyListHandle) throws {
        try hdf5("H5Pset_chunk_cache") { H5Pset_chunk_cache(accessList.id, slots, bytes, preemption) }
    }

    /// A dataset access list holding `cache`, or HDF5's default cache when nil.
    static func accessList(_ cache: ChunkCache?) throws -> PropertyListHandle {
        let access = try PropertyListHandle("H5Pcreate") { H5Pcreate(chdf5_p_dataset_access()) }
        try cache?.apply(to: access)
        return access
    }

    init(accessList: borrowing PropertyListHandle) throws {
        var slots = 0
        var bytes = 0
        var preemption = 0.0
        try hdf5("H5Pget_chunk_cache") { H5Pget_chunk_cache(accessList.id, &slots, &bytes, &preemption) }
        self.init(slots: slots, bytes: bytes, preemption: preemption)
    }
}

func ceilingDivide(_ numerator: Int, _ denominator: Int) -> Int {
    (numerator + denominator - 1) / denominator
}

/// The smallest prime ≥ n (n ≥ 2); trial division is ample for cache-slot counts.
func prime(atLeast n: Int) -> Int {
    var candidate = max(n, 2)
    while !isPrime(candidate) { candidate += 1 }
    return candidate
}

private func isPrime(_ n: Int) -> Bool {
    if n < 4 { return n >= 2 }
    if n % 2 == 0 { return false }
    var divisor = 3
    while divisor * divisor <= n {
        if n % divisor == 0 { return false }
        divisor += 2
    }
    return true
}
