import HDF5Store

/// The floating-point precision a factorization computes in.
public enum Precision: String, Sendable, Codable, CaseIterable {
    /// As scikit-learn: float32 data stays float32, every other type becomes float64.
    case auto
    case float32
    case float64

    /// Whether work on data stored as `storedType` runs in float32: asked for, or `auto` on
    /// float32 data. Every command decides here, and `info` reports what they would do.
    func computesInFloat32(storedType: ElementType) -> Bool {
        switch self {
        case .float32: true
        case .float64: false
        case .auto: storedType == Float.elementType
        }
    }
}
