import CHDF5

/// Writes a new 2-D dataset a block of whole rows at a time, so a matrix far larger than
/// memory can be written while holding only one block.
///
/// The dataset is chunked in chunks of whole rows: chunks are what let HDF5 compress it, and
/// let blocks arrive in any order and of any height. The file stores `Element`'s own type
/// (pass `[UInt16]` to make a uint16 dataset). Rows never written read as zero in HDF5, but
/// BlockNMF's readers refuse a dataset with chunks never written (`DatasetStorage`).
///
/// Thread safety: see `HDF5File`. The writer may move to the thread that does all HDF5
/// calls; it must not be used from two threads at once.
public final class RowBlockWriter<Element: HDF5Storable>: @unchecked Sendable {
    public let file: HDF5File
    /// Absolute path of the dataset inside the file.
    public let datasetPath: String
    public let rows: Int
    public let columns: Int
    /// Rows per chunk; chunks span all columns. Nil only for an empty dataset, which has none.
    public let chunkRows: Int?
    /// A 1-D dataset of `rows` elements (`columns` is 1).
    public let isVector: Bool
    /// Nil once closed.
    private var dataset: DatasetHandle?

    /// Rows per chunk when none are asked for: about 1 MiB per chunk, the size HDF5's own
    /// chunk cache and gzip work well with, and at least one row.
    public static func defaultChunkRows(columns: Int) -> Int {
        let rowBytes = max(columns, 1) * MemoryLayout<Element>.stride
        return max((1 << 20) / rowBytes, 1)
    }

    /// Creates the dataset `name` (and any missing parent groups) in `file`.
    ///
    /// - Parameters:
    ///   - chunkRows: rows per chunk, at most `rows`; `defaultChunkRows(columns:)` when nil.
    ///   - deflateLevel: gzip level 0...9, or nil for no compression.
    ///   - shuffle: byte-shuffle before deflate, which helps numbers compress.
    public convenience init(file: HDF5File, dataset name: String, rows: Int, columns: Int,
                            chunkRows: Int? = nil, deflateLevel: Int? = nil, shuffle: Bool = false) throws {
        try self.init(file: file, dataset: name, rows: rows, columns: columns, isVector: false, chunkRows: chunkRows,
                      deflateLevel: deflateLevel, shuffle: shuffle)
    }

    /// Creates a 1-D dataset of `count` elements, written a range at a time (e.g. the `data`,
    /// `indices` and `indptr` of a sparse group).
    public convenience init(file: HDF5File, vector name: String, count: Int,
                            chunkElements: Int? = nil, deflateLevel: Int? = nil, shuffle: Bool = false) throws {
        try self.init(file: file, dataset: name, rows: count, columns: 1, isVector: true, chunkRows: chunkElements,
                      deflateLevel: deflateLevel, shuffle: shuffle)
    }

    private init(file: HDF5File, dataset name: String, rows: Int, columns: Int, isVector: Bool,
                 chunkRows: Int?, deflateLevel: Int?, shuffle: Bool) throws {
        let shape = isVector ? [rows] : [rows, columns]
        let target = try NewDataset(file: file, name: name, shape: shape, elementCount: rows * columns)
        let isEmpty = rows == 0 || columns == 0
        let chunkRows = isEmpty ? nil : min(max(chunkRows ?? Self.defaultChunkRows(columns: columns), 1), rows)
        let creation = try datasetCreationList(
            shape: shape, chunkRows: chunkRows, deflateLevel: deflateLevel, shuffle: shuffle)

        // A block that ends inside a row of chunks leaves those chunks partly written; a
        // cache holding two rows of chunks keeps them until the next block completes them,
        // instead of compressing them now and decompressing them again then.
        let access = try ChunkCache.accessList(chunkRows.map {
            ChunkCache.covering(blockRows: 1, shape: [rows, columns], chunkShape: [$0, columns],
                                storedElementBytes: MemoryLayout<Element>.stride)
        })
        dataset = try target.create(type: Element.nativeTypeID, creation: creation.id, access: access.id)
        self.file = file
        datasetPath = target.path
        self.rows = rows
        self.columns = columns
        self.chunkRows = chunkRows
        self.isVector = isVector
    }

    /// Writes rows `range` from row-major `elements`, exactly `range.count * columns` of them.
    public func write(rows range: Range<Int>, elements: [Element]) throws {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw HDF5StoreError.rowRangeOutOfBounds(
                path: file.path, dataset: datasetPath, range: range, rows: rows)
        }
        guard elements.count == range.count * columns else {
            throw HDF5StoreError.shapeMismatch(
                path: file.path, dataset: datasetPath, shape: [range.count, columns], elementCount: elements.count)
        }
        guard !elements.isEmpty else { return }

        guard let datasetID = dataset?.id else { throw HDF5StoreError.fileClosed(path: file.path) }
        let path = datasetPath
        let fileSpace = try DataspaceHandle("H5Dget_space \(path)") { H5Dget_space(datasetID) }
        var start: [hsize_t] = isVector ? [hsize_t(range.lowerBound)] : [hsize_t(range.lowerBound), 0]
        var count: [hsize_t] = isVector ? [hsize_t(range.count)] : [hsize_t(range.count), hsize_t(columns)]
        try hdf5("H5Sselect_hyperslab \(path)") {
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil)
        }
        let memorySpace = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(Int32(count.count), &count, nil) }
        try elements.withUnsafeBytes { bytes in
            _ = try hdf5("H5Dwrite \(path) rows \(range.lowerBound)..<\(range.upperBound)", file: file.path) {
                H5Dwrite(
                    datasetID, Element.nativeTypeID, memorySpace.id, fileSpace.id, chdf5_p_default(),
                    bytes.baseAddress)
            }
        }
    }

    /// Closes the dataset now, flushing cached chunks, and reports failure; otherwise it
    /// closes when the writer is released. Writing after closing throws `fileClosed`.
    public func close() throws {
        guard let dataset = dataset.take() else { return }
        try dataset.close(file: file.path)
    }
}
