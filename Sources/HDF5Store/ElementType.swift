import CHDF5

/// The element type of a dataset as stored in the file.
public struct ElementType: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case signedInteger, unsignedInteger, floatingPoint
        case string, compound, enumeration, array, variableLength, opaque, bitfield, reference, time
    }

    public let kind: Kind
    /// Size in bits of one element in the file (for a variable-length string, of its pointer).
    public let bits: Int

    public init(kind: Kind, bits: Int) {
        self.kind = kind
        self.bits = bits
    }

    /// Integers and floats: the types HDF5 can convert to `Float` or `Double` while reading.
    public var isNumeric: Bool {
        switch kind {
        case .signedInteger, .unsignedInteger, .floatingPoint: return true
        default: return false
        }
    }

    /// A short name in NumPy's spelling for numbers ("float32", "uint16"), else the class name.
    public var name: String {
        switch kind {
        case .signedInteger: return "int\(bits)"
        case .unsignedInteger: return "uint\(bits)"
        case .floatingPoint: return "float\(bits)"
        case .string: return "string"
        case .compound: return "compound"
        case .enumeration: return "enum"
        case .array: return "array"
        case .variableLength: return "vlen"
        case .opaque: return "opaque"
        case .bitfield: return "bitfield"
        case .reference: return "reference"
        case .time: return "time"
        }
    }

    public var description: String { name }
}

extension ElementType {
    /// Describes an open HDF5 datatype.
    init(datatype: hid_t) throws {
        // H5T_NO_CLASS (-1) is the failure value, so the raw value goes through the gate.
        let typeClass = H5T_class_t(rawValue: try hdf5("H5Tget_class") { H5Tget_class(datatype).rawValue })
        let bits = Int(H5Tget_size(datatype)) * 8
        switch typeClass {
        case H5T_INTEGER:
            let sign = H5Tget_sign(datatype)
            self.init(kind: sign == H5T_SGN_NONE ? .unsignedInteger : .signedInteger, bits: bits)
        case H5T_FLOAT: self.init(kind: .floatingPoint, bits: bits)
        case H5T_STRING: self.init(kind: .string, bits: bits)
        case H5T_COMPOUND: self.init(kind: .compound, bits: bits)
        case H5T_ENUM: self.init(kind: .enumeration, bits: bits)
        case H5T_ARRAY: self.init(kind: .array, bits: bits)
        case H5T_VLEN: self.init(kind: .variableLength, bits: bits)
        case H5T_OPAQUE: self.init(kind: .opaque, bits: bits)
        case H5T_BITFIELD: self.init(kind: .bitfield, bits: bits)
        case H5T_REFERENCE: self.init(kind: .reference, bits: bits)
        case H5T_TIME: self.init(kind: .time, bits: bits)
        default: self.init(kind: .opaque, bits: bits)
        }
    }

    /// The native in-memory type HDF5 converts to and from, for the types Swift can hold.
    var nativeTypeID: hid_t? {
        switch (kind, bits) {
        case (.signedInteger, 8): return chdf5_native_int8()
        case (.signedInteger, 16): return chdf5_native_int16()
        case (.signedInteger, 32): return chdf5_native_int32()
        case (.signedInteger, 64): return chdf5_native_int64()
        case (.unsignedInteger, 8): return chdf5_native_uint8()
        case (.unsignedInteger, 16): return chdf5_native_uint16()
        case (.unsignedInteger, 32): return chdf5_native_uint32()
        case (.unsignedInteger, 64): return chdf5_native_uint64()
        case (.floatingPoint, 32): return chdf5_native_float()
        case (.floatingPoint, 64): return chdf5_native_double()
        default: return nil
        }
    }
}
