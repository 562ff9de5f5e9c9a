import CHDF5

/// Writes a new 1-D dataset of short ASCII strings (row or column labels, e.g. AnnData's
/// `obs/_index`) a range at a time, so a million labels never have to be held at once.
///
/// The strings are stored fixed-length, `width` bytes each, padded with NULs (h5py reads
/// them as `bytes`, anndata as `str`); longer strings are an error, not cut.
///
/// Thread safety: see `HDF5File`; one thread at a time.
public final class TextColumnWriter: @unchecked Sendable {
    public let file: HDF5File
    public let datasetPath: String
    public let count: Int
    public let width: Int
    private let type: DatatypeHandle
    /// Nil once closed.
    private var dataset: DatasetHandle?

    /// Creates the dataset `name` (and any missing parent groups) of `count` strings of at
    /// most `width` bytes.
    public init(file: HDF5File, dataset name: String, count: Int, width: Int) throws {
        let target = try NewDataset(file: file, name: name, shape: [count], elementCount: count)
        let type = try DatatypeHandle("H5Tcopy") { H5Tcopy(chdf5_c_s1()) }
        try hdf5("H5Tset_size") { H5Tset_size(type.id, max(width, 1)) }
        try hdf5("H5Tset_strpad") { H5Tset_strpad(type.id, H5T_STR_NULLPAD) }
        let creation = try datasetCreationList(shape: [count], chunkRows: count > 0 ? 1 << 16 : nil,
                                               deflateLevel: nil, shuffle: false)
        dataset = try target.create(type: type.id, creation: creation.id)
        self.file = file
        datasetPath = target.path
        self.count = count
        self.width = max(width, 1)
        self.type = type
    }

    /// Writes `texts` at positions `range`, exactly one per position.
    public func write(_ range: Range<Int>, _ texts: [String]) throws {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw HDF5StoreError.rowRangeOutOfBounds(path: file.path, dataset: datasetPath, range: range, rows: count)
        }
        guard texts.count == range.count else {
            throw HDF5StoreError.shapeMismatch(path: file.path, dataset: datasetPath, shape: [range.count],
                                               elementCount: texts.count)
        }
        guard !texts.isEmpty else { return }
        var bytes = [UInt8](repeating: 0, count: texts.count * width)
        for (index, text) in texts.enumerated() {
            let utf8 = Array(text.utf8)
            guard utf8.count <= width else {
                throw HDF5StoreError.shapeMismatch(path: file.path, dataset: datasetPath, shape: [width],
                                                   elementCount: utf8.count)
            }
            bytes.replaceSubrange(index * width..<(index * width + utf8.count), with: utf8)
        }
        guard let datasetID = dataset?.id else { throw HDF5StoreError.fileClosed(path: file.path) }
        let path = datasetPath, typeID = type.id
        let fileSpace = try DataspaceHandle("H5Dget_space \(path)") { H5Dget_space(datasetID) }
        var start = [hsize_t(range.lowerBound)], extent = [hsize_t(range.count)]
        try hdf5("H5Sselect_hyperslab \(path)") {
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &extent, nil)
        }
        let memorySpace = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(1, &extent, nil) }
        try bytes.withUnsafeBytes { buffer in
            _ = try hdf5("H5Dwrite \(path) \(range.lowerBound)..<\(range.upperBound)") {
                H5Dwrite(datasetID, typeID, memorySpace.id, fileSpace.id, chdf5_p_default(), buffer.baseAddress)
            }
        }
    }

    /// Closes the dataset now and reports failure; otherwise it closes when released.
    public func close() throws {
        guard let dataset = dataset.take() else { return }
        try dataset.close()
    }
}
