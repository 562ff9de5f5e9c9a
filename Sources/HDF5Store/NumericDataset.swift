import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// An open dataset checked to exist and to hold numbers that HDF5 can convert.
struct NumericDataset: ~Copyable {
    let handle: DatasetHandle
    let path: String
    /// The file it is in, for errors that name it.
    let filePath: String
    let shape: [Int]
    let storedType: ElementType

    /// Opens `name` in `file`, checking in this order that it exists (else listing the
    /// matrix-like datasets that do), has `requiredRank` if one is given, holds numbers, and,
    /// when it is to be read (`readable`), that HDF5 can apply every filter of its pipeline —
    /// a missing filter plugin is then named before any read fails on it — and that its data
    /// was written (`DatasetStorage`).
    init(file: HDF5File, name: String, requiredRank: Int? = nil, readable: Bool = true,
         accessList: hid_t = chdf5_p_default()) throws {
        let datasetPath = HDF5File.absolute(name)
        guard try file.objectKind(at: datasetPath) == .dataset else {
            throw HDF5StoreError.datasetNotFound(
                path: file.path, dataset: datasetPath, available: try file.matrixDescriptions())
        }
        let fileID = try file.id
        let handle = try DatasetHandle("H5Dopen2 \(datasetPath)", file: file.path) {
            H5Dopen2(fileID, datasetPath, accessList)
        }
        let shape = try DatasetLayout.shape(of: handle)
        if let requiredRank, shape.count != requiredRank {
            throw HDF5StoreError.notTwoDimensional(path: file.path, dataset: datasetPath, rank: shape.count)
        }
        let storedType = try DatasetLayout.elementType(of: handle)
        guard storedType.isNumeric else {
            throw HDF5StoreError.nonNumericType(
                path: file.path, dataset: datasetPath, typeDescription: storedType.name)
        }
        if readable {
            let creation = try PropertyListHandle("H5Dget_create_plist \(datasetPath)") { H5Dget_create_plist(handle.id) }
            if let missing = try DatasetLayout.filters(creation: creation).first(where: { !$0.isAvailable }) {
                throw HDF5StoreError.filterUnavailable(path: file.path, dataset: datasetPath, filter: missing)
            }
            try DatasetStorage.checkWritten(handle, creation: creation, shape: shape, elementBytes: storedType.bits / 8,
                                            file: file.path, path: datasetPath)
        }
        self.shape = shape
        self.handle = handle
        self.path = datasetPath
        filePath = file.path
        self.storedType = storedType
    }

    /// Reads the whole dataset, converted by HDF5 to `T`.
    func readAll<T: HDF5Storable>(as _: T.Type) throws -> [T] {
        let count = shape.saturatingProduct
        guard count > 0 else { return [] }
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            let dataset = handle.id
            try hdf5("H5Dread \(path)", file: filePath) {
                H5Dread(dataset, T.nativeTypeID, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), buffer.baseAddress)
            }
            initialized = count
        }
    }
}

extension NumericDataset {
    /// Elements `range` of a 1-D dataset, converted by HDF5 to `T`.
    func read<T: HDF5Storable>(_ range: Range<Int>, as _: T.Type) throws -> [T] {
        guard !range.isEmpty else { return [] }
        let dataset = handle.id
        let fileSpace = try DataspaceHandle("H5Dget_space \(path)") { H5Dget_space(dataset) }
        var start: [hsize_t] = [hsize_t(range.lowerBound)]
        var count: [hsize_t] = [hsize_t(range.count)]
        try hdf5("H5Sselect_hyperslab \(path)") {
            H5Sselect_hyperslab(fileSpace.id, H5S_SELECT_SET, &start, nil, &count, nil)
        }
        let memorySpace = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(1, &count, nil) }
        return try [T](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            initialized = 0
            Self.adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            try hdf5("H5Dread \(path) \(range.lowerBound)..<\(range.upperBound)", file: filePath) {
                H5Dread(dataset, T.nativeTypeID, memorySpace.id, fileSpace.id, chdf5_p_default(), buffer.baseAddress)
            }
            initialized = range.count
        }
    }
}

extension NumericDataset {
    /// Opens a 1-D array read a range at a time (a sparse group's `data` and `indices`).
    /// Unfiltered chunks get no chunk cache: HDF5 then reads them straight into the
    /// caller's buffer, where a chunk that fits the default cache would be read into the
    /// cache and copied. Filtered chunks keep the default cache. HDF5 fixes the cache when a
    /// dataset is first opened, so the probe closes before.
    static func openForBlocks(file: HDF5File, name: String) throws -> NumericDataset {
        let filtered = try {
            let probe = try NumericDataset(file: file, name: name)
            return try !DatasetInfo(path: probe.path, dataset: probe.handle).filters.isEmpty
        }()
        guard !filtered else { return try NumericDataset(file: file, name: name) }
        let access = try ChunkCache.accessList(.disabled)
        return try NumericDataset(file: file, name: name, accessList: access.id)
    }
}

extension NumericDataset {
    /// Asks for huge pages under a large new buffer before it is first written: faulting in
    /// fresh memory 4 KiB at a time costs as much as the read itself when blocks of a sparse
    /// matrix are read again on every pass. Advice only; the kernel may decline.
    static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
        let hugePage = 2 << 20
        guard let base = buffer.baseAddress, buffer.count >= 2 * hugePage else { return }
        let start = (Int(bitPattern: base) + hugePage - 1) / hugePage * hugePage
        let end = (Int(bitPattern: base) + buffer.count) / hugePage * hugePage
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, 14)  // MADV_HUGEPAGE
    }
}

extension HDF5File {
    /// Reads a whole dataset of any rank and numeric type, converted to `T`, in row-major order.
    /// Meant for small arrays (initial factors, loss histories, sparse indices), not for the
    /// streamed matrix. Converting to a narrower integer type clips out-of-range values.
    public func readArray<T: HDF5Storable>(dataset name: String, as _: T.Type = T.self) throws
        -> (shape: [Int], elements: [T])
    {
        let dataset = try NumericDataset(file: self, name: name)
        return (dataset.shape, try dataset.readAll(as: T.self))
    }

    /// Checks that `name` can be read as numbers: it exists, holds numbers, HDF5 can apply its
    /// filters, and its data was written (`HDF5StoreError.notWritten` otherwise).
    public func checkReadable(dataset name: String) throws {
        _ = try NumericDataset(file: self, name: name)
    }

    /// Reads a whole 2-D dataset converted to `T`, row-major.
    public func readMatrix<T: HDF5Scalar>(dataset name: String, as _: T.Type = T.self) throws
        -> (rows: Int, columns: Int, elements: [T])
    {
        let dataset = try NumericDataset(file: self, name: name, requiredRank: 2)
        return (dataset.shape[0], dataset.shape[1], try dataset.readAll(as: T.self))
    }
}
