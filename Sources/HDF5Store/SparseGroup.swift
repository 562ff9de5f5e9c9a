/// Whether a sparse group stores its matrix compressed by rows (CSR) or by columns (CSC).
public enum SparseOrientation: String, Sendable, Equatable {
    case rows = "CSR"
    case columns = "CSC"
}

/// A sparse matrix stored as an HDF5 group of three 1-D datasets — `data` (the values),
/// `indices` (each value's position along the uncompressed axis) and `indptr` (where each
/// row's, or column's, values start) — as AnnData (`.h5ad`, `encoding-type` csr_matrix or
/// csc_matrix and a `shape` attribute), 10x Genomics (`.h5`, `/matrix` with a `shape` dataset,
/// genes × cells compressed by cells) and h5sparse (`h5sparse_format`, `h5sparse_shape`) write it.
///
/// The matrix read from it has the compressed axis as its rows: a CSR group reads as stored, a
/// CSC group as its transpose, so a 10x file's cells are the samples without a transposed copy.
public struct SparseGroupInfo: Sendable, Equatable {
    /// Absolute path of the group.
    public let path: String
    /// The stored matrix's shape, as the group declares it.
    public let storedShape: [Int]
    public let orientation: SparseOrientation
    public let nonZeros: Int
    /// The type of `data`.
    public let valueType: ElementType
    /// The type of `indices`.
    public let indexType: ElementType

    /// Rows of the matrix read: the compressed axis.
    public var rows: Int { orientation == .rows ? storedShape[0] : storedShape[1] }
    public var columns: Int { orientation == .rows ? storedShape[1] : storedShape[0] }
    /// Non-zeros over all entries.
    public var density: Double { rows * columns > 0 ? Double(nonZeros) / Double(rows * columns) : 0 }
}

extension HDF5File {
    /// Groups that hold `data`, `indices` and `indptr` datasets: the candidates for a sparse matrix.
    public func sparseGroupPaths() throws -> [String] {
        var members: [String: Set<String>] = [:]
        for dataset in try datasets() where dataset.rank == 1 {
            let slash = dataset.path.lastIndex(of: "/")!
            let group = slash == dataset.path.startIndex ? "/" : String(dataset.path[..<slash])
            members[group, default: []].insert(String(dataset.path[dataset.path.index(after: slash)...]))
        }
        return members.filter { $0.value.isSuperset(of: ["data", "indices", "indptr"]) }.keys.sorted()
    }

    /// Checks that `group` holds a sparse matrix and describes it; when it is to be read
    /// (`readable`), also that HDF5 can apply the filters of its datasets.
    public func sparseGroup(_ group: String, readable: Bool = true) throws -> SparseGroupInfo {
        let groupPath = Self.absolute(group)
        func invalid(_ reason: String) -> HDF5StoreError {
            .invalidSparseGroup(path: path, group: groupPath, reason: reason)
        }
        guard try objectKind(at: groupPath) == .group else { throw HDF5StoreError.objectNotFound(path: path, object: groupPath) }
        for name in ["data", "indices", "indptr"] where try objectKind(at: Self.join(groupPath, name)) != .dataset {
            throw invalid("it has no '\(name)' dataset")
        }
        let (orientation, shape) = try sparseLayout(groupPath, invalid: invalid)
        guard shape.count == 2, shape.allSatisfy({ $0 >= 0 }) else { throw invalid("its shape is \(shape)") }
        let data = try NumericDataset(file: self, name: Self.join(groupPath, "data"), readable: readable)
        let indices = try NumericDataset(file: self, name: Self.join(groupPath, "indices"), readable: readable)
        let pointers = try NumericDataset(file: self, name: Self.join(groupPath, "indptr"), readable: readable)
        guard data.shape.count == 1, indices.shape == data.shape, pointers.shape.count == 1 else {
            throw invalid("data \(data.shape), indices \(indices.shape) and indptr \(pointers.shape) must be 1-D, data and indices of one length")
        }
        guard indices.storedType.kind == .signedInteger || indices.storedType.kind == .unsignedInteger,
              pointers.storedType.kind == .signedInteger || pointers.storedType.kind == .unsignedInteger else {
            throw invalid("indices (\(indices.storedType.name)) and indptr (\(pointers.storedType.name)) must hold integers")
        }
        let compressed = orientation == .rows ? shape[0] : shape[1]
        guard pointers.shape[0] == compressed + 1 else {
            throw invalid("indptr holds \(pointers.shape[0]) offsets where \(compressed) \(orientation == .rows ? "rows" : "columns") need \(compressed + 1)")
        }
        return SparseGroupInfo(path: groupPath, storedShape: shape, orientation: orientation, nonZeros: data.shape[0],
                               valueType: data.storedType, indexType: indices.storedType)
    }

    /// The orientation and shape the group declares, in the conventions this reads.
    private func sparseLayout(_ group: String, invalid: (String) -> HDF5StoreError) throws
        -> (SparseOrientation, [Int])
    {
        func orientation(_ text: String) -> SparseOrientation? {
            switch text {
            case "csr_matrix", "csr": .rows
            case "csc_matrix", "csc": .columns
            default: nil
            }
        }
        for (format, shape) in [("encoding-type", "shape"), ("h5sparse_format", "h5sparse_shape")]
            where try hasAttribute(format, of: group)
        {
            guard case .string(let text) = try attribute(format, of: group), let found = orientation(text) else {
                throw invalid("its \(format) is \(try attribute(format, of: group)), not csr_matrix or csc_matrix")
            }
            guard try hasAttribute(shape, of: group) else { throw invalid("it has no '\(shape)' attribute") }
            return (found, try integers(attribute: shape, of: group))
        }
        // 10x Genomics: a `shape` dataset (features × barcodes), compressed by barcodes.
        if try objectKind(at: Self.join(group, "shape")) == .dataset {
            return (.columns, try readArray(dataset: Self.join(group, "shape"), as: Int64.self).elements.map { Int($0) })
        }
        throw invalid("it declares neither encoding-type (AnnData), h5sparse_format, nor a shape dataset (10x)")
    }
}
