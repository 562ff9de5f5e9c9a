import NMFKernels

/// The update scheme, in scikit-learn's spelling.
public enum Solver: String, Sendable, Codable, CaseIterable {
    /// Coordinate descent (HALS), one sweep per update; stops on the projected gradient.
    case cd
    /// Multiplicative update; stops on the loss, checked every 10 iterations.
    case mu
    /// Accelerated HALS: coordinate descent with several sweeps per update
    /// (`innerSweeps`) for each pass over V; stops as `cd`.
    case hals

    func rule(innerSweeps: Int) -> UpdateScheme {
        switch self {
        case .cd: .coordinateDescent(sweeps: 1)
        case .mu: .multiplicative
        case .hals: .coordinateDescent(sweeps: innerSweeps)
        }
    }
}

/// Everything that determines a fit, with scikit-learn's `NMF` parameters and defaults.
///
/// Two differences: the default solver is `hals` (coordinate descent with several sweeps
/// per pass over V, which reached a given error in a fraction of the passes `cd` needs;
/// docs/benchmarks.md), and scikit-learn's `random_state=None` draws a fresh seed where
/// here the seed defaults to 0 so that every run is reproducible.
public struct NMFConfiguration: Sendable, Equatable, Codable {
    /// `n_components`: the rank k of W·H.
    public var components: Int
    /// `solver`.
    public var solver: Solver
    /// `init`; nil applies scikit-learn's default rule (NNDSVDa when k ≤ min(m, n), else random).
    public var initialization: InitializationMethod?
    /// `max_iter`.
    public var maxIterations: Int
    /// `tol`.
    public var tolerance: Double
    /// `alpha_W`, `alpha_H`, `l1_ratio`.
    public var regularization: Regularization
    /// `random_state`.
    public var seed: UInt32
    /// Sweeps per factor update of the `hals` solver (ignored by the others).
    public var innerSweeps: Int
    /// `beta_loss`: the divergence minimized; other than Frobenius only with `mu`.
    public var loss: BetaLoss

    /// 16 sweeps reached within 1 % of the best error in the fewest passes over V and the
    /// least time of 1–32 (docs/benchmarks.md).
    public static let defaultInnerSweeps = 16

    public init(components: Int, solver: Solver = .hals, initialization: InitializationMethod? = nil,
                maxIterations: Int = 200, tolerance: Double = 1e-4,
                regularization: Regularization = Regularization(), seed: UInt32 = 0,
                innerSweeps: Int = NMFConfiguration.defaultInnerSweeps, loss: BetaLoss = .frobenius) {
        self.components = components
        self.solver = solver
        self.initialization = initialization
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.regularization = regularization
        self.seed = seed
        self.innerSweeps = innerSweeps
        self.loss = loss
    }

    private enum CodingKeys: String, CodingKey {
        case components, solver, initialization, maxIterations, tolerance, regularization, seed, innerSweeps, loss
    }

    /// Configurations written before losses other than Frobenius existed read as Frobenius.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(components: try container.decode(Int.self, forKey: .components),
                  solver: try container.decode(Solver.self, forKey: .solver),
                  initialization: try container.decodeIfPresent(InitializationMethod.self, forKey: .initialization),
                  maxIterations: try container.decode(Int.self, forKey: .maxIterations),
                  tolerance: try container.decode(Double.self, forKey: .tolerance),
                  regularization: try container.decode(Regularization.self, forKey: .regularization),
                  seed: try container.decode(UInt32.self, forKey: .seed),
                  innerSweeps: try container.decode(Int.self, forKey: .innerSweeps),
                  loss: try container.decodeIfPresent(BetaLoss.self, forKey: .loss) ?? .frobenius)
    }

    /// Checks each parameter on its own; checks that need the data's shape come later.
    public func validate() throws(NMFError) {
        func invalid(_ name: String, _ value: String, _ rule: String) -> NMFError {
            .invalidParameter(name: name, value: value, requirement: rule)
        }
        guard components >= 1 else { throw invalid("rank", "\(components)", "must be at least 1") }
        guard innerSweeps >= 1 else { throw invalid("inner-sweeps", "\(innerSweeps)", "must be at least 1") }
        guard maxIterations >= 1 else { throw invalid("max-iter", "\(maxIterations)", "must be at least 1") }
        guard tolerance >= 0, tolerance.isFinite else {
            throw invalid("tol", "\(tolerance)", "must be a finite number ≥ 0")
        }
        let alphaW = regularization.alphaW
        guard alphaW >= 0, alphaW.isFinite else {
            throw invalid("alpha-w", "\(alphaW)", "must be a finite number ≥ 0")
        }
        if case .value(let alphaH) = regularization.alphaH, !(alphaH >= 0 && alphaH.isFinite) {
            throw invalid("alpha-h", "\(alphaH)", "must be a finite number ≥ 0 or 'same'")
        }
        let ratio = regularization.l1Ratio
        guard ratio >= 0, ratio <= 1 else { throw invalid("l1-ratio", "\(ratio)", "must be in [0, 1]") }
        guard loss.beta.isFinite else { throw invalid("loss", "\(loss.beta)", "must be a finite number") }
        if !loss.isFrobenius && solver != .mu {
            throw invalid("loss", "\(loss)", "needs --solver mu (solver '\(solver.rawValue)' minimizes the Frobenius loss only)")
        }
    }

    /// The initialization this configuration uses on an m×n matrix.
    public func resolvedInitialization(samples: Int, features: Int) -> InitializationMethod {
        initialization ?? .defaultMethod(components: components, samples: samples, features: features)
    }

    /// The initialization a fit of an m×n matrix uses: given factors mean `custom` unless
    /// another method was asked for; an SVD-based method needs k ≤ min(m, n).
    func initializationMethod(samples m: Int, features n: Int, factorsGiven: Bool) throws(NMFError)
        -> InitializationMethod
    {
        let method = initialization == nil && factorsGiven
            ? .custom : resolvedInitialization(samples: m, features: n)
        if method.needsSVD, components > min(m, n) {
            throw .rankTooLarge(rank: components, initialization: method, samples: m, features: n)
        }
        return method
    }
}
