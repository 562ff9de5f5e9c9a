import CHDF5

/// What a dataset holds and how it is laid out on disk.
public struct DatasetInfo: Sendable, Equatable {
    /// Absolute path inside the file, e.g. "/grp/X".
    public let path: String
    public let shape: [Int]
    public let elementType: ElementType
    /// Chunk extents when the dataset is chunked; nil when contiguous or compact.
    public let chunkShape: [Int]?
    /// The filter pipeline in order.
    public let pipeline: [DatasetFilter]
    /// Bytes the data occupies in the file (after compression).
    public let storageBytes: Int

    public var rank: Int { shape.count }
    /// Elements the shape declares (Int.max when they exceed it: a damaged or never-written shape).
    public var elementCount: Int { shape.saturatingProduct }
    /// Bytes of the elements as stored, uncompressed (Int.max when they exceed it).
    public var dataBytes: Int { [elementCount, max(1, elementType.bits / 8)].saturatingProduct }
    /// The filter pipeline in order, e.g. ["shuffle", "deflate(4)"].
    public var filters: [String] { pipeline.map(\.description) }
    /// The first filter of the pipeline HDF5 cannot apply: the data cannot be read.
    public var unavailableFilter: DatasetFilter? { pipeline.first { !$0.isAvailable } }
}

extension DatasetInfo {
    init(path: String, dataset: borrowing DatasetHandle) throws {
        self.path = path
        shape = try DatasetLayout.shape(of: dataset)
        elementType = try DatasetLayout.elementType(of: dataset)
        let creation = try PropertyListHandle("H5Dget_create_plist \(path)") { H5Dget_create_plist(dataset.id) }
        chunkShape = try DatasetLayout.chunkShape(creation: creation, rank: shape.count)
        pipeline = try DatasetLayout.filters(creation: creation)
        // Clamped: a damaged layout message can record any size.
        storageBytes = Int(clamping: H5Dget_storage_size(dataset.id))
    }
}

/// Reading a dataset's extents, type and creation properties.
enum DatasetLayout {
    static func shape(of dataset: borrowing DatasetHandle) throws -> [Int] {
        let space = try DataspaceHandle("H5Dget_space") { H5Dget_space(dataset.id) }
        let rank = Int(try hdf5("H5Sget_simple_extent_ndims") { H5Sget_simple_extent_ndims(space.id) })
        var extents = [hsize_t](repeating: 0, count: rank)
        try hdf5("H5Sget_simple_extent_dims") { H5Sget_simple_extent_dims(space.id, &extents, nil) }
        // HDF5 opens no dataset with an extent beyond 2^63 − 1 (it rounds extents up to powers of two).
        return extents.map { Int($0) }
    }

    static func elementType(of dataset: borrowing DatasetHandle) throws -> ElementType {
        let type = try DatatypeHandle("H5Dget_type") { H5Dget_type(dataset.id) }
        return try ElementType(datatype: type.id)
    }

    static func chunkShape(creation: borrowing PropertyListHandle, rank: Int) throws -> [Int]? {
        let layout = H5Pget_layout(creation.id)
        guard layout == H5D_CHUNKED, rank > 0 else { return nil }
        var extents = [hsize_t](repeating: 0, count: rank)
        try hdf5("H5Pget_chunk") { H5Pget_chunk(creation.id, Int32(rank), &extents) }
        return extents.map { Int($0) }
    }

    static func filters(creation: borrowing PropertyListHandle) throws -> [DatasetFilter] {
        let count = try hdf5("H5Pget_nfilters") { H5Pget_nfilters(creation.id) }
        return try (0..<count).map { index in
            var flags: UInt32 = 0
            var parameterCount = 8
            var parameters = [UInt32](repeating: 0, count: parameterCount)
            var name = [CChar](repeating: 0, count: 256)
            var configuration: UInt32 = 0
            let filter = try hdf5("H5Pget_filter2") {
                H5Pget_filter2(
                    creation.id, UInt32(index), &flags, &parameterCount, &parameters,
                    name.count, &name, &configuration)
            }
            let stored = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return DatasetFilter(id: Int(filter), storedName: stored, parameters: Array(parameters.prefix(parameterCount)))
        }
    }
}

extension Collection<Int> {
    /// The product of the elements, or Int.max when it overflows (all elements ≥ 0).
    var saturatingProduct: Int {
        var product = 1
        for factor in self {
            let (result, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return contains(0) ? 0 : Int.max }
            product = result
        }
        return product
    }
}
