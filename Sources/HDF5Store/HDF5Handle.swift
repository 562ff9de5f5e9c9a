import CHDF5

/// What kind of HDF5 object an identifier names, and how to release it.
protocol HDF5ObjectKind {
    static var closeOperation: String { get }
    static func close(_ id: hid_t) -> herr_t
}

enum FileObject: HDF5ObjectKind {
    static let closeOperation = "H5Fclose"
    static func close(_ id: hid_t) -> herr_t { H5Fclose(id) }
}

enum GroupObject: HDF5ObjectKind {
    static let closeOperation = "H5Gclose"
    static func close(_ id: hid_t) -> herr_t { H5Gclose(id) }
}

enum DatasetObject: HDF5ObjectKind {
    static let closeOperation = "H5Dclose"
    static func close(_ id: hid_t) -> herr_t { H5Dclose(id) }
}

enum DataspaceObject: HDF5ObjectKind {
    static let closeOperation = "H5Sclose"
    static func close(_ id: hid_t) -> herr_t { H5Sclose(id) }
}

enum DatatypeObject: HDF5ObjectKind {
    static let closeOperation = "H5Tclose"
    static func close(_ id: hid_t) -> herr_t { H5Tclose(id) }
}

enum PropertyListObject: HDF5ObjectKind {
    static let closeOperation = "H5Pclose"
    static func close(_ id: hid_t) -> herr_t { H5Pclose(id) }
}

enum AttributeObject: HDF5ObjectKind {
    static let closeOperation = "H5Aclose"
    static func close(_ id: hid_t) -> herr_t { H5Aclose(id) }
}

/// An open HDF5 identifier that is closed exactly once: by `close()`, which reports
/// failure, or otherwise by `deinit`, which cannot.
struct HDF5Handle<Kind: HDF5ObjectKind>: ~Copyable {
    let id: hid_t

    /// Takes ownership of the identifier returned by `open`, which goes through the gate
    /// (`file`: the file it works on, for errors that name it).
    init(_ operation: @autoclosure () -> String, file: String? = nil, _ open: () -> hid_t) throws {
        id = try hdf5(operation(), file: file, open)
    }

    consuming func close(file: String? = nil) throws {
        let id = self.id
        discard self
        try hdf5(Kind.closeOperation, file: file) { Kind.close(id) }
    }

    deinit {
        _ = Kind.close(id)
    }
}

typealias FileHandle = HDF5Handle<FileObject>
typealias GroupHandle = HDF5Handle<GroupObject>
typealias DatasetHandle = HDF5Handle<DatasetObject>
typealias DataspaceHandle = HDF5Handle<DataspaceObject>
typealias DatatypeHandle = HDF5Handle<DatatypeObject>
typealias PropertyListHandle = HDF5Handle<PropertyListObject>
typealias AttributeHandle = HDF5Handle<AttributeObject>
