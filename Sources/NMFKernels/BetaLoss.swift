/// The loss a fit minimizes: the β-divergence between V and W·H (scikit-learn's
/// `beta_loss`). β = 2 is half the squared Frobenius distance, β = 1 the generalized
/// Kullback-Leibler divergence (Poisson noise), β = 0 Itakura-Saito (multiplicative
/// noise, e.g. audio power spectra); any other real β is allowed.
public struct BetaLoss: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public let beta: Double

    public static let frobenius = BetaLoss(beta: 2)
    public static let kullbackLeibler = BetaLoss(beta: 1)
    public static let itakuraSaito = BetaLoss(beta: 0)

    public init(beta: Double) { self.beta = beta }

    /// scikit-learn's names, or a number (`"1.5"`); nil for anything else or a non-finite β.
    public init?(parsing text: String) {
        switch text {
        case "frobenius": self = .frobenius
        case "kullback-leibler": self = .kullbackLeibler
        case "itakura-saito": self = .itakuraSaito
        default:
            guard let beta = Double(text), beta.isFinite else { return nil }
            self.init(beta: beta)
        }
    }

    public var isFrobenius: Bool { beta == 2 }

    /// The exponent of the multiplicative update's ratio (Févotte & Idier 2011): 1 for
    /// β in [1, 2], 1/(2 − β) below, 1/(β − 1) above; it makes each update a
    /// majorize-minimize step, so the divergence cannot increase.
    public var gamma: Double {
        if beta < 1 { return 1 / (2 - beta) }
        if beta > 2 { return 1 / (beta - 1) }
        return 1
    }

    /// The name scikit-learn uses for β = 2, 1, 0, else the number.
    public var description: String {
        switch beta {
        case 2: "frobenius"
        case 1: "kullback-leibler"
        case 0: "itakura-saito"
        default: "\(beta)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        beta = try container.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(beta)
    }
}
