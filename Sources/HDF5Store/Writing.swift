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
        let datasetPath = Self.absolute(name)
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 0 }) else {
            throw HDF5StoreError.invalidShape(path: path, dataset: datasetPath, shape: shape)
        }
        guard shape.reduce(1, *) == elements.count else {
            throw HDF5StoreError.shapeMismatch(
                path: path, dataset: datasetPath, shape: shape, elementCount: elements.count)
        }
        let file = try id

        var extents = shape.map { hsize_t($0) }
        let space = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(Int32(shape.count), &extents, nil) }
        let linkCreation = try PropertyListHandle("H5Pcreate") { H5Pcreate(chdf5_p_link_create()) }
        try hdf5("H5Pset_create_intermediate_group") { H5Pset_create_intermediate_group(linkCreation.id, 1) }
        let creation = try PropertyListHandle("H5Pcreate") { H5Pcreate(chdf5_p_dataset_create()) }

        let wantsChunks = chunkRows != nil || deflateLevel != nil || shuffle
        // A chunk may not exceed a fixed extent, and no chunk fits an empty extent.
        if wantsChunks, !shape.contains(0) {
            var chunk = shape.map { hsize_t($0) }
            chunk[0] = hsize_t(min(max(chunkRows ?? shape[0], 1), shape[0]))
            try hdf5("H5Pset_chunk") { H5Pset_chunk(creation.id, Int32(chunk.count), &chunk) }
            if shuffle {
                try hdf5("H5Pset_shuffle") { H5Pset_shuffle(creation.id) }
            }
            if let deflateLevel {
                try hdf5("H5Pset_deflate level \(deflateLevel)") { H5Pset_deflate(creation.id, UInt32(clamping: deflateLevel)) }
            }
        }

        let dataset = try DatasetHandle("H5Dcreate2 \(datasetPath)") {
            H5Dcreate2(file, datasetPath, T.nativeTypeID, space.id, linkCreation.id, creation.id, chdf5_p_default())
        }
        guard !elements.isEmpty else { return }
        try elements.withUnsafeBytes { bytes in
            _ = try hdf5("H5Dwrite \(datasetPath)") {
                H5Dwrite(dataset.id, T.nativeTypeID, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), bytes.baseAddress)
            }
        }
    }
}
