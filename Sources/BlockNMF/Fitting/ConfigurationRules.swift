/// A parameter of `NMFConfiguration`, as the command line and a model file name it.
enum ConfigurationParameter: Sendable {
    case components, innerSweeps, maxIterations, tolerance, alphaW, alphaH, l1Ratio, loss

    /// The option of `factor` that sets it, without its dashes.
    var option: String {
        switch self {
        case .components: "rank"
        case .innerSweeps: "inner-sweeps"
        case .maxIterations: "max-iter"
        case .tolerance: "tol"
        case .alphaW: "alpha-w"
        case .alphaH: "alpha-h"
        case .l1Ratio: "l1-ratio"
        case .loss: "loss"
        }
    }

    /// The root attribute of a result file (`FactorizationFile`) that holds it.
    var attribute: String {
        switch self {
        case .components: "n_components"
        case .innerSweeps: "inner_sweeps"
        case .maxIterations: "max_iter"
        case .tolerance: "tol"
        case .alphaW: "alpha_W"
        case .alphaH: "alpha_H"
        case .l1Ratio: "l1_ratio"
        case .loss: "beta_loss"
        }
    }
}

/// A rule a configuration parameter must follow on its own.
enum ParameterRule: Sendable, Equatable {
    case atLeastOne
    case finiteNonNegative
    case finiteNonNegativeOrSame
    case withinUnitInterval
    case finite
    /// A loss other than Frobenius, which only `mu` minimizes; `solver` is the one asked for.
    case minimizedBy(solver: Solver)

    /// What the rule asks, as the command line's error says it.
    var requirement: String {
        switch self {
        case .atLeastOne: "must be at least 1"
        case .finiteNonNegative: "must be a finite number ≥ 0"
        case .finiteNonNegativeOrSame: "must be a finite number ≥ 0 or 'same'"
        case .withinUnitInterval: "must be in [0, 1]"
        case .finite: "must be a finite number"
        case .minimizedBy(let solver):
            "needs --solver mu (solver '\(solver.rawValue)' minimizes the Frobenius loss only)"
        }
    }

    /// What the rule asks, as a model file's error says it: a model names no options.
    var modelRequirement: String {
        switch self {
        case .minimizedBy: "needs solver mu, the only solver for losses other than frobenius"
        default: requirement
        }
    }
}

/// The first parameter of a configuration that breaks its rule, with its value as written.
struct ParameterViolation: Sendable, Equatable {
    let parameter: ConfigurationParameter
    let value: String
    let rule: ParameterRule
}

extension NMFConfiguration {
    /// The rules each parameter follows on its own, checked in this order: the one list the
    /// command line, library requests and model files are held to. Rules that need the
    /// data's shape come later (`initializationMethod`).
    func firstViolation() -> ParameterViolation? {
        func violation(_ parameter: ConfigurationParameter, _ value: Any, _ rule: ParameterRule) -> ParameterViolation {
            ParameterViolation(parameter: parameter, value: "\(value)", rule: rule)
        }
        if components < 1 { return violation(.components, components, .atLeastOne) }
        if innerSweeps < 1 { return violation(.innerSweeps, innerSweeps, .atLeastOne) }
        if maxIterations < 1 { return violation(.maxIterations, maxIterations, .atLeastOne) }
        if !(tolerance >= 0 && tolerance.isFinite) { return violation(.tolerance, tolerance, .finiteNonNegative) }
        let alphaW = regularization.alphaW
        if !(alphaW >= 0 && alphaW.isFinite) { return violation(.alphaW, alphaW, .finiteNonNegative) }
        if case .value(let alphaH) = regularization.alphaH, !(alphaH >= 0 && alphaH.isFinite) {
            return violation(.alphaH, alphaH, .finiteNonNegativeOrSame)
        }
        let ratio = regularization.l1Ratio
        if !(ratio >= 0 && ratio <= 1) { return violation(.l1Ratio, ratio, .withinUnitInterval) }
        if !loss.beta.isFinite { return violation(.loss, loss.beta, .finite) }
        if !loss.isFrobenius && solver != .mu { return violation(.loss, loss, .minimizedBy(solver: solver)) }
        return nil
    }
}
