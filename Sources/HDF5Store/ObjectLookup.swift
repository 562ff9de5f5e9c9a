import CHDF5

/// The kinds of object a group member can be.
public enum ObjectKind: Sendable, Equatable {
    case group, dataset, namedDatatype
}

extension HDF5File {
    /// Every dataset in the file, in every group, depth first in name order.
    public func datasets() throws -> [DatasetInfo] {
        let file = try id
        final class Found { var paths: [String] = [] }
        let found = Found()
        let visitor: H5O_iterate_t = { _, name, info, context in
            guard let name, let info, let context else { return 0 }
            if info.pointee.type == H5O_TYPE_DATASET {
                Unmanaged<Found>.fromOpaque(context).takeUnretainedValue().paths.append("/" + String(cString: name))
            }
            return 0
        }
        _ = try withExtendedLifetime(found) {
            try hdf5("H5Ovisit2 \(path)", file: path) {
                H5Ovisit2(
                    file, H5_INDEX_NAME, H5_ITER_INC, visitor,
                    Unmanaged.passUnretained(found).toOpaque(), chdf5_o_info_basic())
            }
        }
        return try found.paths.map { datasetPath in
            let dataset = try DatasetHandle("H5Dopen2 \(datasetPath)", file: path) {
                H5Dopen2(file, datasetPath, chdf5_p_default())
            }
            return try DatasetInfo(path: datasetPath, dataset: dataset)
        }
    }

    /// Paths of the 2-D numeric datasets: the candidates for a dense matrix.
    public func matrixDatasetPaths() throws -> [String] {
        try datasets().filter { $0.rank == 2 && $0.elementType.isNumeric }.map(\.path)
    }

    /// Paths of every matrix a command can read — 2-D numeric datasets and sparse groups —
    /// in name order.
    public func matrixPaths() throws -> [String] {
        try (matrixDatasetPaths() + sparseGroupPaths()).sorted()
    }

    /// `matrixPaths`, each sparse group marked as one ("/X (sparse group)"), for error messages.
    public func matrixDescriptions() throws -> [String] {
        let groups = Set(try sparseGroupPaths())
        return try matrixPaths().map { groups.contains($0) ? "\($0) (sparse group)" : $0 }
    }

    /// Names (not paths) of the members of a group, in name order, optionally of one kind only.
    public func memberNames(of group: String = "/", kind: ObjectKind? = nil) throws -> [String] {
        let groupPath = Self.absolute(group)
        guard try objectKind(at: groupPath) == .group else {
            throw HDF5StoreError.objectNotFound(path: path, object: groupPath)
        }
        let file = try id
        let opened = try GroupHandle("H5Gopen2 \(groupPath)") { H5Gopen2(file, groupPath, chdf5_p_default()) }
        var info = H5G_info_t()
        try hdf5("H5Gget_info \(groupPath)") { H5Gget_info(opened.id, &info) }
        var names: [String] = []
        for index in 0..<info.nlinks {
            let length = try hdf5("H5Lget_name_by_idx") {
                H5Lget_name_by_idx(opened.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_p_default())
            }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            try hdf5("H5Lget_name_by_idx") {
                H5Lget_name_by_idx(
                    opened.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, chdf5_p_default())
            }
            let name = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let kind, try objectKind(at: Self.join(groupPath, name)) != kind { continue }
            names.append(name)
        }
        return names
    }

    /// Creates a group and any missing parents; an existing group is left as it is.
    public func createGroup(_ group: String) throws {
        let groupPath = Self.absolute(group)
        if try objectKind(at: groupPath) == .group { return }
        let file = try id
        let linkCreation = try PropertyListHandle("H5Pcreate") { H5Pcreate(chdf5_p_link_create()) }
        try hdf5("H5Pset_create_intermediate_group") { H5Pset_create_intermediate_group(linkCreation.id, 1) }
        _ = try GroupHandle("H5Gcreate2 \(groupPath)") {
            H5Gcreate2(file, groupPath, linkCreation.id, chdf5_p_default(), chdf5_p_default())
        }
    }

    /// The kind of object at an absolute path, or nil when nothing (or a dangling link) is there.
    /// What `objectPath` names, or nil when nothing.
    public func kind(of objectPath: String) throws -> ObjectKind? { try objectKind(at: Self.absolute(objectPath)) }

    func objectKind(at objectPath: String) throws -> ObjectKind? {
        let file = try id
        if objectPath == "/" { return .group }
        // H5Lexists fails rather than answering "no" when a parent is missing, so walk down.
        var prefix = ""
        for component in objectPath.split(separator: "/") {
            prefix += "/" + component
            let link = prefix
            let exists = try hdf5("H5Lexists \(link)", file: path) { H5Lexists(file, link, chdf5_p_default()) }
            if exists == 0 { return nil }
        }
        let resolves = try hdf5("H5Oexists_by_name \(objectPath)", file: path) {
            H5Oexists_by_name(file, objectPath, chdf5_p_default())
        }
        if resolves == 0 { return nil }
        var info = H5O_info_t()
        try hdf5("H5Oget_info_by_name2 \(objectPath)", file: path) {
            H5Oget_info_by_name2(file, objectPath, &info, chdf5_o_info_basic(), chdf5_p_default())
        }
        switch info.type {
        case H5O_TYPE_GROUP: return .group
        case H5O_TYPE_DATASET: return .dataset
        default: return .namedDatatype
        }
    }

    static func absolute(_ objectPath: String) -> String {
        objectPath.hasPrefix("/") ? objectPath : "/" + objectPath
    }

    static func join(_ group: String, _ name: String) -> String {
        group.hasSuffix("/") ? group + name : group + "/" + name
    }
}
