import CHDF5

/// A scalar attribute value. Booleans are stored as integers 0 and 1.
public enum AttributeValue: Sendable, Equatable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case double(Double)

    public var description: String {
        switch self {
        case let .string(text): return "\"\(text)\""
        case let .integer(number): return String(number)
        case let .double(number): return String(number)
        }
    }
}

extension HDF5File {
    /// Reads a scalar attribute of the file root, a group or a dataset. Integers of any width
    /// read as `.integer`, floats as `.double`, fixed- or variable-length strings as `.string`.
    public func attribute(_ name: String, of objectPath: String = "/") throws -> AttributeValue {
        let object = try existingObject(objectPath)
        let file = try id
        let exists = try hdf5("H5Aexists_by_name \(object) \(name)", file: path) {
            H5Aexists_by_name(file, object, name, chdf5_p_default())
        }
        guard exists > 0 else { throw HDF5StoreError.attributeNotFound(path: path, object: object, name: name) }

        let attribute = try AttributeHandle("H5Aopen_by_name \(object) \(name)", file: path) {
            H5Aopen_by_name(file, object, name, chdf5_p_default(), chdf5_p_default())
        }
        let type = try DatatypeHandle("H5Aget_type \(name)") { H5Aget_type(attribute.id) }
        let elementType = try ElementType(datatype: type.id)
        let space = try DataspaceHandle("H5Aget_space \(name)") { H5Aget_space(attribute.id) }
        let count = try hdf5("H5Sget_simple_extent_npoints") { H5Sget_simple_extent_npoints(space.id) }
        guard count == 1 else {
            throw HDF5StoreError.unsupportedAttributeType(
                path: path, object: object, name: name, typeDescription: "an array of \(count) \(elementType.name)")
        }

        switch elementType.kind {
        case .signedInteger, .unsignedInteger:
            var value: Int64 = 0
            try hdf5("H5Aread \(name)", file: path) { H5Aread(attribute.id, chdf5_native_int64(), &value) }
            return .integer(Int(value))
        case .floatingPoint:
            var value = 0.0
            try hdf5("H5Aread \(name)", file: path) { H5Aread(attribute.id, chdf5_native_double(), &value) }
            return .double(value)
        case .string:
            return .string(try readString(attribute: attribute, fileType: type))
        default:
            throw HDF5StoreError.unsupportedAttributeType(
                path: path, object: object, name: name, typeDescription: elementType.name)
        }
    }

    /// Reads an integer attribute holding any number of values (e.g. AnnData's `shape`).
    public func integers(attribute name: String, of objectPath: String = "/") throws -> [Int] {
        let object = try existingObject(objectPath)
        let file = try id
        let attribute = try AttributeHandle("H5Aopen_by_name \(object) \(name)", file: path) {
            H5Aopen_by_name(file, object, name, chdf5_p_default(), chdf5_p_default())
        }
        let type = try DatatypeHandle("H5Aget_type \(name)") { H5Aget_type(attribute.id) }
        let elementType = try ElementType(datatype: type.id)
        guard elementType.kind == .signedInteger || elementType.kind == .unsignedInteger else {
            throw HDF5StoreError.unsupportedAttributeType(path: path, object: object, name: name,
                                                          typeDescription: elementType.name)
        }
        let space = try DataspaceHandle("H5Aget_space \(name)") { H5Aget_space(attribute.id) }
        let count = Int(try hdf5("H5Sget_simple_extent_npoints") { H5Sget_simple_extent_npoints(space.id) })
        var values = [Int64](repeating: 0, count: count)
        try hdf5("H5Aread \(name)", file: path) { H5Aread(attribute.id, chdf5_native_int64(), &values) }
        return values.map { Int($0) }
    }

    /// Whether the root, a group or a dataset has an attribute `name`.
    public func hasAttribute(_ name: String, of objectPath: String = "/") throws -> Bool {
        let object = try existingObject(objectPath)
        let file = try id
        return try hdf5("H5Aexists_by_name \(object) \(name)", file: path) {
            H5Aexists_by_name(file, object, name, chdf5_p_default())
        } > 0
    }

    /// Sets a scalar attribute, replacing one of the same name. Strings are stored as
    /// variable-length UTF-8, which h5py reads as `str`; integers as int64; doubles as float64.
    public func setAttribute(_ name: String, _ value: AttributeValue, on objectPath: String = "/") throws {
        let object = try existingObject(objectPath)
        let file = try id
        let exists = try hdf5("H5Aexists_by_name \(object) \(name)", file: path) {
            H5Aexists_by_name(file, object, name, chdf5_p_default())
        }
        if exists > 0 {
            try hdf5("H5Adelete_by_name \(object) \(name)") {
                H5Adelete_by_name(file, object, name, chdf5_p_default())
            }
        }
        let space = try DataspaceHandle("H5Screate") { H5Screate(H5S_SCALAR) }
        func create(fileType: hid_t) throws -> AttributeHandle {
            try AttributeHandle("H5Acreate_by_name \(object) \(name)") {
                H5Acreate_by_name(
                    file, object, name, fileType, space.id, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
            }
        }
        switch value {
        case let .integer(number):
            let attribute = try create(fileType: chdf5_std_i64le())
            var stored = Int64(number)
            try hdf5("H5Awrite \(name)") { H5Awrite(attribute.id, chdf5_native_int64(), &stored) }
        case let .double(number):
            let attribute = try create(fileType: chdf5_ieee_f64le())
            var stored = number
            try hdf5("H5Awrite \(name)") { H5Awrite(attribute.id, chdf5_native_double(), &stored) }
        case let .string(text):
            let type = try variableLengthUTF8String()
            let attribute = try create(fileType: type.id)
            try text.withCString { characters in
                var pointer: UnsafePointer<CChar>? = characters
                _ = try hdf5("H5Awrite \(name)") { H5Awrite(attribute.id, type.id, &pointer) }
            }
        }
    }

    /// Sets an attribute holding an array of int64 values (e.g. AnnData's `shape`), replacing
    /// one of the same name.
    public func setAttribute(_ name: String, integers values: [Int], on objectPath: String = "/") throws {
        let object = try existingObject(objectPath)
        let file = try id
        if try hasAttribute(name, of: object) {
            try hdf5("H5Adelete_by_name \(object) \(name)") { H5Adelete_by_name(file, object, name, chdf5_p_default()) }
        }
        var extent = [hsize_t(values.count)]
        let space = try DataspaceHandle("H5Screate_simple") { H5Screate_simple(1, &extent, nil) }
        let attribute = try AttributeHandle("H5Acreate_by_name \(object) \(name)") {
            H5Acreate_by_name(file, object, name, chdf5_std_i64le(), space.id, chdf5_p_default(), chdf5_p_default(),
                              chdf5_p_default())
        }
        var stored = values.map { Int64($0) }
        try hdf5("H5Awrite \(name)") { H5Awrite(attribute.id, chdf5_native_int64(), &stored) }
    }

    /// Names of the attributes of the root, a group or a dataset, in name order.
    public func attributeNames(of objectPath: String = "/") throws -> [String] {
        let object = try existingObject(objectPath)
        let file = try id
        var info = H5O_info_t()
        try hdf5("H5Oget_info_by_name2 \(object)") {
            H5Oget_info_by_name2(file, object, &info, chdf5_o_info_num_attrs(), chdf5_p_default())
        }
        return try (0..<info.num_attrs).map { index in
            let length = try hdf5("H5Aget_name_by_idx") {
                H5Aget_name_by_idx(file, object, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, chdf5_p_default())
            }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            try hdf5("H5Aget_name_by_idx") {
                H5Aget_name_by_idx(
                    file, object, H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, chdf5_p_default())
            }
            return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    private func existingObject(_ objectPath: String) throws -> String {
        let object = Self.absolute(objectPath)
        guard try objectKind(at: object) != nil else {
            throw HDF5StoreError.objectNotFound(path: path, object: object)
        }
        return object
    }

    private func readString(attribute: borrowing AttributeHandle, fileType: borrowing DatatypeHandle) throws -> String {
        let isVariable = try hdf5("H5Tis_variable_str") { H5Tis_variable_str(fileType.id) }
        if isVariable > 0 {
            let memoryType = try variableLengthUTF8String()
            var pointer: UnsafeMutablePointer<CChar>?
            try hdf5("H5Aread", file: path) { H5Aread(attribute.id, memoryType.id, &pointer) }
            guard let pointer else { return "" }
            defer { H5free_memory(pointer) }
            return String(cString: pointer)
        }
        // Fixed length: read with the file's own type, then cut at the padding.
        let memoryType = try DatatypeHandle("H5Tcopy") { H5Tcopy(fileType.id) }
        let size = H5Tget_size(fileType.id)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        try hdf5("H5Aread", file: path) { H5Aread(attribute.id, memoryType.id, &bytes) }
        var text = bytes.prefix { $0 != 0 }
        if H5Tget_strpad(fileType.id) == H5T_STR_SPACEPAD {
            while text.last == UInt8(ascii: " ") { text.removeLast() }
        }
        return String(decoding: text, as: UTF8.self)
    }

    func variableLengthUTF8String() throws -> DatatypeHandle {
        let type = try DatatypeHandle("H5Tcopy") { H5Tcopy(chdf5_c_s1()) }
        try hdf5("H5Tset_size") { H5Tset_size(type.id, chdf5_variable_size()) }
        try hdf5("H5Tset_cset") { H5Tset_cset(type.id, H5T_CSET_UTF8) }
        return type
    }
}
