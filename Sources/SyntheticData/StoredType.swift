import HDF5Store

/// The element type of a generated matrix in the file, in NumPy's spelling.
public enum StoredType: String, Sendable, Codable, CaseIterable {
    case float32, float64
    case uint8, uint16, uint32, uint64
    case int8, int16, int32, int64

    var elementType: ElementType {
        switch self {
        case .float32: ElementType(kind: .floatingPoint, bits: 32)
        case .float64: ElementType(kind: .floatingPoint, bits: 64)
        case .uint8: ElementType(kind: .unsignedInteger, bits: 8)
        case .uint16: ElementType(kind: .unsignedInteger, bits: 16)
        case .uint32: ElementType(kind: .unsignedInteger, bits: 32)
        case .uint64: ElementType(kind: .unsignedInteger, bits: 64)
        case .int8: ElementType(kind: .signedInteger, bits: 8)
        case .int16: ElementType(kind: .signedInteger, bits: 16)
        case .int32: ElementType(kind: .signedInteger, bits: 32)
        case .int64: ElementType(kind: .signedInteger, bits: 64)
        }
    }

    public var isInteger: Bool { elementType.kind != .floatingPoint }

    /// Bytes of one element in the file.
    public var bytes: Int { elementType.bits / 8 }
}
