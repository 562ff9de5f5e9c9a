import CHDF5

/// Reads whole rows of a 2-D dataset of any integer or floating-point type, contiguous or
/// chunked and compressed, converted by HDF5 to `Element`.
///
/// Thread safety: see `HDF5File`. `@unchecked Sendable` lets the source move to the thread
/// that does all HDF5 calls; it must not be used from two threads at once.
public final class DenseRowBlockSource<Element: HDF5Scalar>: RowBlockSource, @unchecked Sendable {
    public let file: HDF5File
    /// Absolute path of the dataset inside the file.
    public let datasetPath: String
    public let rows: Int
    public let columns: Int
    /// The element type stored in the file (before conversion to `Element`).
    public let storedType: ElementType
    /// Chunk extents (rows, columns) when the dataset is chunked.
    public let chunkShape: [Int]?
    /// The filter pipeline (compression, shuffle, …), empty when the data is stored as is.
    public let filters: [String]
    /// Nil only while being reopened, or after reopening failed.
    private var dataset: DatasetHandle?

    /// Rows per chunk when the dataset is chunked: blocks that are multiples of it read
    /// each chunk once.
    public var chunkRows: Int? { chunkShape?[0] }

    /// Opens `dataset`, or when it is nil the file's only 2-D numeric dataset.
    ///
    /// `blockRows` is the height of the blocks that will be read (all rows when nil): the
    /// chunk cache is sized so every chunk such a block touches stays decompressed in memory.
    /// That cache costs up to `chunkCache().bytes` of memory while the source is open.
    public init(file: HDF5File, dataset name: String? = nil, blockRows: Int? = nil) throws {
        let layout = try Self.inspect(file: file, name: name ?? Self.onlyMatrix(in: file))
        self.file = file
        datasetPath = layout.path
        rows = layout.rows
        columns = layout.columns
        storedType = layout.storedType
        chunkShape = layout.chunkShape
        filters = layout.filters
        try setChunkCache(blockRows: blockRows ?? rows)
    }

    /// Sizes the chunk cache for blocks of `blockRows` rows. HDF5 fixes a dataset's cache when
    /// the dataset is first opened, so this closes and reopens it; for the same reason the
    /// setting is ignored while the dataset is open elsewhere (another source, a readMatrix).
    /// Contiguous datasets have no chunk cache, and unfiltered ones get none: HDF5 then
    /// reads their chunks straight into the caller's buffer instead of copying them
    /// through the cache.
    public func setChunkCache(blockRows: Int) throws {
        let cache = chunkShape.map {
            filters.isEmpty
                ? ChunkCache.disabled
                : ChunkCache.covering(
                    blockRows: blockRows, shape: [rows, columns], chunkShape: $0,
                    storedElementBytes: storedType.bits / 8)
        }
        dataset = nil
        do {
            dataset = try Self.open(file: file, path: datasetPath, cache: cache)
        } catch {
            // Stay readable with HDF5's default cache if only the sized cache was refused.
            dataset = try? Self.open(file: file, path: datasetPath, cache: nil)
            throw error
        }
    }

    /// The chunk cache HDF5 is using for this dataset.
    public func chunkCache() throws -> ChunkCache {
        let datasetID = try openDatasetID()
        let access = try PropertyListHandle("H5Dget_access_plist \(datasetPath)") {
            H5Dget_access_plist(datasetID)
        }
        return try ChunkCache(accessList: access)
    }

    public func readRows(_ range: Range<Int>, into buffer: inout [Element]) throws {
        try readRows(range, into: &buffer, startingAt: 0)
    }

    /// Reads rows `range` into `buffer` from element `offset` on, so consecutive blocks
    /// can fill one large array without an intermediate copy.
    public func readRows(_ range: Range<Int>, into buffer: inout [Element], startingAt offset: Int) throws {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw HDF5StoreError.rowRangeOutOfBounds(
                path: file.path, dataset: datasetPath, range: range, rows: rows)
        }
        let needed = range.count * columns
        guard offset >= 0, buffer.count - offset >= needed else {
            throw HDF5StoreError.bufferTooSmall(
                path: file.path, dataset: datasetPath, needed: needed, available: max(0, buffer.count - offset))
        }
        guard needed > 0 else { return }

        let datasetID = try openDatasetID()
        let fileSpace = try DataspaceHandle("H5Dget_space \(datasetPath)") { H5Dget_space(datasetID) }
        var start: [hsize_t] = [hsize_t(range.lowerBound), 0]
        var count: [hsize_t] = [hsize_t(range.count), hsize_t(columns)]
        try hdf5("H5Sselect_hyperslab \(datasetPath)") {
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil)
        }
        let memorySpace = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(2, &count, nil) }
        try buffer.withUnsafeMutableBytes { bytes in
            _ = try hdf5("H5Dread \(datasetPath) rows \(range.lowerBound)..<\(range.upperBound)", file: file.path) {
                H5Dread(
                    datasetID, Element.nativeTypeID, memorySpace.id, fileSpace.id, chdf5_p_default(),
                    bytes.baseAddress.map { $0 + offset * MemoryLayout<Element>.stride })
            }
        }
    }

    func openDatasetID() throws -> hid_t {
        guard let id = dataset?.id else { throw HDF5StoreError.fileClosed(path: file.path) }
        return id
    }

    private struct Layout {
        let path: String
        let rows: Int
        let columns: Int
        let storedType: ElementType
        let chunkShape: [Int]?
        let filters: [String]
    }

    /// Validates the dataset and reads its layout, closing it again so that the reader's own
    /// open (with its chunk cache) is the first.
    private static func inspect(file: HDF5File, name: String) throws -> Layout {
        let probe = try NumericDataset(file: file, name: name, requiredRank: 2)
        let creation = try PropertyListHandle("H5Dget_create_plist \(probe.path)") {
            H5Dget_create_plist(probe.handle.id)
        }
        return Layout(
            path: probe.path, rows: probe.shape[0], columns: probe.shape[1], storedType: probe.storedType,
            chunkShape: try DatasetLayout.chunkShape(creation: creation, rank: 2),
            filters: try DatasetLayout.filters(creation: creation).map(\.description))
    }

    private static func onlyMatrix(in file: HDF5File) throws -> String {
        let candidates = try file.matrixDatasetPaths()
        guard candidates.count == 1 else {
            throw HDF5StoreError.ambiguousDataset(path: file.path, available: candidates)
        }
        return candidates[0]
    }

    private static func open(file: HDF5File, path: String, cache: ChunkCache?) throws -> DatasetHandle {
        let access = try ChunkCache.accessList(cache)
        let fileID = try file.id
        return try DatasetHandle("H5Dopen2 \(path)", file: file.path) { H5Dopen2(fileID, path, access.id) }
    }
}
