import CHDF5

/// A Swift type whose values HDF5 can write and read directly from memory: the fixed-width
/// integers, `Float` and `Double`. Reading converts from any numeric file type.
public protocol HDF5Storable: BitwiseCopyable, Sendable {
    static var elementType: ElementType { get }
}

/// The element types of matrices handed to the numerical code.
public protocol HDF5Scalar: HDF5Storable, BinaryFloatingPoint {}

extension Float: HDF5Scalar {
    public static var elementType: ElementType { ElementType(kind: .floatingPoint, bits: 32) }
}

extension Double: HDF5Scalar {
    public static var elementType: ElementType { ElementType(kind: .floatingPoint, bits: 64) }
}

extension Int8: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .signedInteger, bits: 8) }
}

extension Int16: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .signedInteger, bits: 16) }
}

extension Int32: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .signedInteger, bits: 32) }
}

extension Int64: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .signedInteger, bits: 64) }
}

extension UInt8: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .unsignedInteger, bits: 8) }
}

extension UInt16: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .unsignedInteger, bits: 16) }
}

extension UInt32: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .unsignedInteger, bits: 32) }
}

extension UInt64: HDF5Storable {
    public static var elementType: ElementType { ElementType(kind: .unsignedInteger, bits: 64) }
}

extension HDF5Storable {
    /// Every conforming type has a native HDF5 counterpart, so this never fails.
    static var nativeTypeID: hid_t { elementType.nativeTypeID! }
}
