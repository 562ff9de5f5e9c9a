/// Whether a sparse group stores its matrix compressed by rows (CSR) or by columns (CSC).
public enum SparseOrientation: String, Sendable, Equatable {
    case rows = "CSR"
    case columns = "CSC"
}

/// Whose convention a sparse group follows, which fixes what its declared shape means.
public enum SparseConvention: String, Sendable, Equatable, Codable {
    /// AnnData (`encoding-type` csr_matrix or csc_matrix, a `shape` attribute): the shape is
    /// the matrix's, observations × variables, whichever axis is compressed.
    case annData = "AnnData"
    /// h5sparse (`h5sparse_format` csr or csc, `h5sparse_shape`), also old AnnData files: the
    /// shape is the matrix's, as scipy's.
    case h5sparse
    /// 10x Genomics (`/matrix`, or one group per genome in older files, with a `shape`
    /// dataset): features × barcodes compressed by barcodes; the matrix factored is its
    /// transpose, barcodes (cells) × features.
    case tenX = "10x"
}

/// A sparse matrix stored as an HDF5 group of three 1-D datasets — `data` (the values),
/// `indices` (each value's position along the uncompressed axis) and `indptr` (where each
/// row's, or column's, values start) — as AnnData, h5sparse and 10x Genomics write it
/// (`SparseConvention`).
///
/// The matrix read from it has the samples as rows: AnnData's and h5sparse's matrix as
/// declared (observations × variables, CSR or CSC), 10x's as the transpose of the declared
/// features × barcodes, so a cell is a row. Its rows are the compressed axis for CSR groups
/// and 10x's CSC (read without a copy); a column-compressed matrix (AnnData's or h5sparse's
/// CSC) needs a row-compressed copy to be read a block of rows at a time (`RowCompressedCopy`).
public struct SparseGroupInfo: Sendable, Equatable {
    /// Absolute path of the group.
    public let path: String
    /// The shape as the group declares it (10x: features × barcodes).
    public let storedShape: [Int]
    /// Which axis of the stored arrays `indptr` runs over.
    public let orientation: SparseOrientation
    public let convention: SparseConvention
    public let nonZeros: Int
    /// The type of `data`.
    public let valueType: ElementType
    /// The type of `indices`.
    public let indexType: ElementType

    /// Whether the matrix read is the transpose of the declared shape (10x).
    public var isTransposed: Bool { convention == .tenX }
    /// Rows of the matrix read: the samples.
    public var rows: Int { isTransposed ? storedShape[1] : storedShape[0] }
    public var columns: Int { isTransposed ? storedShape[0] : storedShape[1] }
    /// Whether `indptr` runs over the rows of the matrix read, so that a block of rows is
    /// one range of `data` and `indices`.
    public var rowsAreCompressed: Bool { (orientation == .rows) != isTransposed }
    /// Non-zeros over all entries.
    public var density: Double { rows > 0 && columns > 0 ? Double(nonZeros) / Double(rows) / Double(columns) : 0 }

    /// The error for a group that cannot be read as asked, naming the file and the group.
    func invalid(_ reason: String, in file: HDF5File) -> HDF5StoreError {
        .invalidSparseGroup(path: file.path, group: path, reason: reason)
    }
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
        let (orientation, convention, shape) = try sparseLayout(groupPath, invalid: invalid)
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
        let (compressed, uncompressed) = orientation == .rows ? (shape[0], shape[1]) : (shape[1], shape[0])
        let (compressedAxis, uncompressedAxis) = orientation == .rows ? ("rows", "columns") : ("columns", "rows")
        // Compared without adding to the declared extent, which may be anything up to Int.max.
        guard pointers.shape[0] - 1 == compressed else {
            let needed = compressed < Int.max ? "\(compressed + 1)" : "\(compressed) + 1"
            throw invalid("indptr holds \(pointers.shape[0]) offsets where \(compressed) \(compressedAxis) need \(needed)")
        }
        // `indices` are read as 32-bit integers.
        guard uncompressed <= Int(Int32.max) else {
            throw invalid("its \(uncompressed) \(uncompressedAxis) exceed what 32-bit indices can address")
        }
        return SparseGroupInfo(path: groupPath, storedShape: shape, orientation: orientation, convention: convention,
                               nonZeros: data.shape[0],
                               valueType: data.storedType, indexType: indices.storedType)
    }

    /// The orientation and shape the group declares, in the conventions this reads.
    private func sparseLayout(_ group: String, invalid: (String) -> HDF5StoreError) throws
        -> (SparseOrientation, SparseConvention, [Int])
    {
        func orientation(_ text: String) -> SparseOrientation? {
            switch text {
            case "csr_matrix", "csr": .rows
            case "csc_matrix", "csc": .columns
            default: nil
            }
        }
        for (format, shape, convention) in [("encoding-type", "shape", SparseConvention.annData),
                                            ("h5sparse_format", "h5sparse_shape", .h5sparse)]
            where try hasAttribute(format, of: group)
        {
            guard case .string(let text) = try attribute(format, of: group), let found = orientation(text) else {
                throw invalid("its \(format) is \(try attribute(format, of: group)), not csr_matrix or csc_matrix")
            }
            guard try hasAttribute(shape, of: group) else { throw invalid("it has no '\(shape)' attribute") }
            do {
                return (found, convention, try integers(attribute: shape, of: group))
            } catch HDF5StoreError.unsupportedAttributeType(_, _, _, let type) {
                throw invalid("its \(shape) attribute holds \(type), not integers")
            }
        }
        // 10x Genomics: a `shape` dataset (features × barcodes), compressed by barcodes.
        if try objectKind(at: Self.join(group, "shape")) == .dataset {
            let shape = try NumericDataset(file: self, name: Self.join(group, "shape"))
            guard shape.storedType.kind == .signedInteger || shape.storedType.kind == .unsignedInteger else {
                throw invalid("its shape dataset holds \(shape.storedType.name), not integers")
            }
            return (.columns, .tenX, try shape.readAll(as: Int64.self).map { Int($0) })
        }
        throw invalid("it declares neither encoding-type (AnnData), h5sparse_format, nor a shape dataset (10x)")
    }
}
