struct DiskReadReport: Codable, Sendable {
    let file: String
    let fileBytes: Int
    let readBlockBytes: Int
    /// Fraction of the file's pages cached right after eviction (mincore).
    let residentAfterEviction: Double
    /// Fraction cached just before the cached reads: below 1 when the file outgrows free RAM.
    let residentBeforeCachedRead: Double
    /// GB/s (10⁹ bytes) reading after eviction: the device (and whatever caches below the guest).
    let coldGBps: RateSummary
    /// GB/s reading with the pages in the page cache: a memory copy, the ceiling of `read`.
    let cachedGBps: RateSummary
    /// Eviction left almost nothing cached and cold reads were clearly slower than cached ones.
    let evictionWorked: Bool
}

/// Sequential read bandwidth of one file, cold (evicted from the page cache) and cached.
struct DiskReadBandwidth {
    let blockSize: Int
    let measurement: RateMeasurement

    func measure(_ file: OpenFile) throws -> DiskReadReport {
        let bytes = Double(file.byteCount)
        var residentAfterEviction = 0.0
        let cold = try measurement.measureOnce(work: bytes, prepare: {
            try file.evictFromPageCache()
            residentAfterEviction = max(residentAfterEviction, try file.residentFraction())
        }, run: {
            try file.readSequentially(blockSize: blockSize)
        })
        let residentBeforeCachedRead = try file.residentFraction()
        let cached = try measurement.measureOnce(work: bytes, prepare: {}, run: {
            try file.readSequentially(blockSize: blockSize)
        })
        return DiskReadReport(
            file: file.name, fileBytes: file.byteCount, readBlockBytes: blockSize,
            residentAfterEviction: residentAfterEviction,
            residentBeforeCachedRead: residentBeforeCachedRead,
            coldGBps: cold.scaled(by: 1e-9), cachedGBps: cached.scaled(by: 1e-9),
            evictionWorked: residentAfterEviction < 0.01 && cold.median < cached.median / 2)
    }
}
