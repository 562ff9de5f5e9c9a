/// scikit-learn's `alpha_H`: a value, or "same" as `alpha_W`.
public enum AlphaH: Sendable, Equatable, Codable, CustomStringConvertible {
    case same
    case value(Double)

    public var description: String {
        switch self {
        case .same: "same"
        case .value(let alpha): "\(alpha)"
        }
    }
}

/// The elastic-net penalty on one factor, already scaled the way scikit-learn
/// scales it (by the number of features for W, by the number of samples for H).
public struct Penalty: Sendable, Equatable {
    public var l1: Double
    public var l2: Double

    public static let none = Penalty(l1: 0, l2: 0)
    @inlinable public init(l1: Double, l2: Double) { self.l1 = l1; self.l2 = l2 }
}

/// The regularization of a fit in scikit-learn's parameters.
public struct Regularization: Sendable, Equatable, Codable {
    public var alphaW: Double
    public var alphaH: AlphaH
    public var l1Ratio: Double

    public init(alphaW: Double = 0, alphaH: AlphaH = .same, l1Ratio: Double = 0) {
        self.alphaW = alphaW
        self.alphaH = alphaH
        self.l1Ratio = l1Ratio
    }

    public var resolvedAlphaH: Double {
        switch alphaH {
        case .same: alphaW
        case .value(let alpha): alpha
        }
    }

    /// scikit-learn's `_compute_regularization`: W's terms grow with the number of
    /// features n, H's with the number of samples m, so the penalty keeps its weight
    /// relative to the data-fit term as the matrix grows.
    public func penalties(samples: Int, features: Int) -> (w: Penalty, h: Penalty) {
        let n = Double(features), m = Double(samples)
        let alphaH = resolvedAlphaH
        return (
            Penalty(l1: n * alphaW * l1Ratio, l2: n * alphaW * (1.0 - l1Ratio)),
            Penalty(l1: m * alphaH * l1Ratio, l2: m * alphaH * (1.0 - l1Ratio))
        )
    }
}
