/// A sparse group's three arrays opened to be read a range of values at a time: `indptr`
/// read whole and checked (it starts at 0, ends at the number of values and never
/// decreases), `data` and `indices` open for reading.
struct CompressedArrays: ~Copyable {
    /// Where each compressed row's (or column's) values start, and where the last ends
    /// (8 bytes each, in memory).
    let offsets: [Int]
    let data: NumericDataset
    let indices: NumericDataset

    /// `axis` names what `indptr` runs over ("row", "column") in errors.
    init(file: HDF5File, info: SparseGroupInfo, axis: String) throws {
        func invalid(_ reason: String) -> HDF5StoreError {
            .invalidSparseGroup(path: file.path, group: info.path, reason: reason)
        }
        let pointers = try file.readArray(dataset: HDF5File.join(info.path, "indptr"), as: Int64.self).elements
        guard pointers.first == 0, pointers.last == Int64(info.nonZeros) else {
            throw invalid("indptr runs from \(pointers.first ?? 0) to \(pointers.last ?? 0), not from 0 to its "
                          + "\(info.nonZeros) values")
        }
        if let position = pointers.indices.dropLast().first(where: { pointers[$0] > pointers[$0 + 1] }) {
            throw invalid("indptr decreases after \(axis) \(position)")
        }
        let data = try NumericDataset.openForBlocks(file: file, name: HDF5File.join(info.path, "data"))
        let indices = try NumericDataset.openForBlocks(file: file, name: HDF5File.join(info.path, "indices"))
        offsets = pointers.map { Int($0) }
        self.data = data
        self.indices = indices
    }
}
