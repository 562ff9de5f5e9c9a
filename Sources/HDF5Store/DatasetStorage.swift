import CHDF5

/// Whether a dataset's elements are stored in its file.
///
/// HDF5 reads elements that were never written as the dataset's fill value, so a dataset may
/// declare far more than its file holds: a chunked one whose chunks were never written (a
/// writer that stopped early, or a damaged dataspace), a contiguous one whose storage was
/// never allocated. Reading it would give fill values, not data, and take as long as reading
/// real data of its shape — years, for what a damaged dataspace can declare — so a reader
/// refuses it first, in the time it takes to count its chunks.
enum DatasetStorage {
    /// Throws `HDF5StoreError.notWritten` unless every element of the dataset has storage in
    /// the file (or in the external files it names).
    static func checkWritten(_ dataset: borrowing DatasetHandle, creation: borrowing PropertyListHandle,
                             shape: [Int], elementBytes: Int, file: String, path: String) throws {
        guard !shape.contains(0) else { return }
        func missing(stored: Int?, of chunks: Int?) -> HDF5StoreError {
            .notWritten(path: file, dataset: path, shape: shape, storedChunks: stored, chunks: chunks)
        }
        switch H5Pget_layout(creation.id) {
        case H5D_CONTIGUOUS:
            let external = try hdf5("H5Pget_external_count \(path)") { H5Pget_external_count(creation.id) }
            guard external == 0 else { return }
            let needed = [shape.saturatingProduct, max(1, elementBytes)].saturatingProduct
            if H5Dget_storage_size(dataset.id) < UInt64(needed) { throw missing(stored: nil, of: nil) }
        case H5D_CHUNKED:
            guard let chunkShape = try DatasetLayout.chunkShape(creation: creation, rank: shape.count) else { return }
            let chunks = zip(shape, chunkShape).map { ceilingDivide($0, max($1, 1)) }.saturatingProduct
            let space = try DataspaceHandle("H5Dget_space \(path)") { H5Dget_space(dataset.id) }
            var stored: hsize_t = 0
            try hdf5("H5Dget_num_chunks \(path)", file: file) { H5Dget_num_chunks(dataset.id, space.id, &stored) }
            if stored < UInt64(chunks) { throw missing(stored: Int(stored), of: chunks) }
        default:
            return  // compact: stored in the object header; virtual: read from its sources
        }
    }
}
