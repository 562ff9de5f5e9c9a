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
    /// Alternating non-negative least squares: each factor the exact NNLS solution given the
    /// other (block principal pivoting); stops on the objective's relative decrease.
    case anls

    func rule(innerSweeps: Int) -> UpdateScheme {
        switch self {
        case .cd: .coordinateDescent(sweeps: 1)
        case .mu: .multiplicative
        case .hals: .coordinateDescent(sweeps: innerSweeps)
        case .anls: .exactLeastSquares
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

    /// Checks each parameter on its own (`firstViolation`); checks that need the data's
    /// shape come later.
    public func validate() throws(NMFError) {
        guard let violation = firstViolation() else { return }
        throw .invalidParameter(name: violation.parameter.option, value: violation.value,
                                requirement: violation.rule.requirement)
    }

    /// The initialization this configuration uses on an m×n matrix: the one asked for; else
    /// `sample` for `anls` (the fewest passes over V to the answer), and scikit-learn's rule for
    /// the other solvers.
    public func resolvedInitialization(samples: Int, features: Int) -> InitializationMethod {
        initialization ?? (solver == .anls ? .sample
            : .defaultMethod(components: components, samples: samples, features: features))
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
