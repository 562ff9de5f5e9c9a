import CHDF5

extension HDF5File {
    /// Writes a new dataset of any rank ≥ 1 from row-major `elements`, creating missing
    /// parent groups. The file stores `T`'s own type (e.g. `Int16` gives an int16 dataset).
    ///
    /// - Parameters:
    ///   - chunkRows: rows (first-dimension extent) per chunk; chunks span all other
    ///     dimensions. Compression needs chunks, so with `deflateLevel` or `shuffle` and no
    ///     `chunkRows` the whole dataset is one chunk.
    ///   - deflateLevel: gzip level 0...9.
    ///   - shuffle: byte-shuffle before deflate, which helps numbers compress.
    public func write<T: HDF5Storable>(
        dataset name: String, shape: [Int], elements: [T],
        chunkRows: Int? = nil, deflateLevel: Int? = nil, shuffle: Bool = false
    ) throws {
        let target = try NewDataset(file: self, name: name, shape: shape, elementCount: elements.count)
        let wantsChunks = chunkRows != nil || deflateLevel != nil || shuffle
        let creation = try datasetCreationList(
            shape: shape, chunkRows: wantsChunks ? chunkRows ?? shape[0] : nil,
            deflateLevel: deflateLevel, shuffle: shuffle)

        let dataset = try target.create(type: T.nativeTypeID, creation: creation.id)
        let datasetPath = target.path
        guard !elements.isEmpty else { return }
        try elements.withUnsafeBytes { bytes in
            _ = try hdf5("H5Dwrite \(datasetPath)", file: path) {
                H5Dwrite(dataset.id, T.nativeTypeID, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), bytes.baseAddress)
            }
        }
    }

    /// Writes a dataset of variable-length UTF-8 strings (h5py reads them as `str`), e.g.
    /// row or column labels.
    public func write(dataset name: String, shape: [Int], strings: [String]) throws {
        let target = try NewDataset(file: self, name: name, shape: shape, elementCount: strings.count)
        let type = try variableLengthUTF8String()
        let dataset = try target.create(type: type.id, creation: chdf5_p_default())
        let datasetPath = target.path
        guard !strings.isEmpty else { return }
        // HDF5 wants one C-string pointer per element: lay all strings out NUL-terminated in
        // one buffer and point into it.
        var characters: [CChar] = []
        var offsets: [Int] = []
        for string in strings {
            offsets.append(characters.count)
            characters.append(contentsOf: string.utf8.map { CChar(bitPattern: $0) })
            characters.append(0)
        }
        try characters.withUnsafeBufferPointer { characterBuffer in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { characterBuffer.baseAddress! + $0 }
            try pointers.withUnsafeBufferPointer { pointerBuffer in
                _ = try hdf5("H5Dwrite \(datasetPath)", file: path) {
                    H5Dwrite(dataset.id, type.id, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), pointerBuffer.baseAddress)
                }
            }
        }
    }
}

/// Creation properties for a dataset of `shape`: chunks of `chunkRows` rows spanning all other
/// dimensions (contiguous when nil), then the filters, which need chunks.
func datasetCreationList(
    shape: [Int], chunkRows: Int?, deflateLevel: Int?, shuffle: Bool
) throws -> PropertyListHandle {
    let creation = try PropertyListHandle("H5Pcreate") { H5Pcreate(chdf5_p_dataset_create()) }
    // A chunk may not exceed a fixed extent, and no chunk fits an empty extent.
    guard let chunkRows, !shape.contains(0) else { return creation }
    var chunk = shape.map { hsize_t($0) }
    chunk[0] = hsize_t(min(max(chunkRows, 1), shape[0]))
    try hdf5("H5Pset_chunk") { H5Pset_chunk(creation.id, Int32(chunk.count), &chunk) }
    if shuffle {
        try hdf5("H5Pset_shuffle") { H5Pset_shuffle(creation.id) }
    }
    if let deflateLevel {
        try hdf5("H5Pset_deflate level \(deflateLevel)") { H5Pset_deflate(creation.id, UInt32(clamping: deflateLevel)) }
    }
    return creation
}

/// A dataset about to be created: shape checked, dataspace made, parents to be created.
struct NewDataset: ~Copyable {
    let fileID: hid_t
    let filePath: String
    let path: String
    let space: DataspaceHandle
    let linkCreation: PropertyListHandle

    init(file: HDF5File, name: String, shape: [Int], elementCount: Int) throws {
        let datasetPath = HDF5File.absolute(name)
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5StoreError.invalidShape(path: file.path, dataset: datasetPath, shape: shape)
        }
        guard shape.reduce(1, *) == elementCount else {
            throw HDF5StoreError.shapeMismatch(
                path: file.path, dataset: datasetPath, shape: shape, elementCount: elementCount)
        }
        let fileID = try file.id
        var extents = shape.map { hsize_t($0) }
        let space = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(Int32(shape.count), &extents, nil) }
        let linkCreation = try PropertyListHandle("H5Pcreate") { H5Pcreate(chdf5_p_link_create()) }
        try hdf5("H5Pset_create_intermediate_group") { H5Pset_create_intermediate_group(linkCreation.id, 1) }
        self.fileID = fileID
        filePath = file.path
        self.path = datasetPath
        self.space = space
        self.linkCreation = linkCreation
    }

    func create(type: hid_t, creation: hid_t, access: hid_t = chdf5_p_default()) throws -> DatasetHandle {
        let fileID = fileID, path = path
        let spaceID = space.id, linkCreationID = linkCreation.id
        return try DatasetHandle("H5Dcreate2 \(path)", file: filePath) {
            H5Dcreate2(fileID, path, type, spaceID, linkCreationID, creation, access)
        }
    }
}
