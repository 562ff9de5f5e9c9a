import NMFKernels

/// What a fit did: how far it got and how well it fits.
public struct FitReport: Sendable, Equatable, Codable {
    /// Iterations run (scikit-learn's `n_iter_`).
    public var iterations: Int
    /// Whether the tolerance rule stopped the fit (false: it ran out of iterations).
    public var converged: Bool
    /// ‖V − W·H‖_F for the initial factors, then after each iteration, from the
    /// loss identity ‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩ (no extra pass over V). Its
    /// products carry the working precision's rounding, so in float32 a fit whose
    /// error is below about 1e-3·‖V‖ sees that rounding in these values.
    /// For a β-divergence, √(2·D) where scikit-learn evaluates it — the initial
    /// factors and every 10th iteration — and NaN (null in JSON) elsewhere.
    public var lossHistory: [Double]
    /// The initialization that was used (the default rule resolved).
    public var initialization: String
    /// ‖V − W·H‖_F of the final factors (scikit-learn's `reconstruction_err_`),
    /// computed directly from the residual rather than from the loss identity;
    /// √(2·D_β(V ‖ W·H)) for a β-divergence.
    public var reconstructionError: Double
    /// Wall-clock seconds of the whole fit, initialization included.
    public var elapsedSeconds: Double
    /// Seconds from the start of the fit to the end of each iteration.
    public var iterationEndSeconds: [Double]

    private enum CodingKeys: String, CodingKey {
        case iterations, converged, lossHistory, initialization, reconstructionError, elapsedSeconds,
             iterationEndSeconds
    }

    /// In JSON an iteration whose divergence was not evaluated is null (JSON has no NaN).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iterations, forKey: .iterations)
        try container.encode(converged, forKey: .converged)
        try container.encode(lossHistory.map { $0.isNaN ? nil : $0 }, forKey: .lossHistory)
        try container.encode(initialization, forKey: .initialization)
        try container.encode(reconstructionError, forKey: .reconstructionError)
        try container.encode(elapsedSeconds, forKey: .elapsedSeconds)
        try container.encode(iterationEndSeconds, forKey: .iterationEndSeconds)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(iterations: try container.decode(Int.self, forKey: .iterations),
                  converged: try container.decode(Bool.self, forKey: .converged),
                  lossHistory: try container.decode([Double?].self, forKey: .lossHistory).map { $0 ?? .nan },
                  initialization: try container.decode(String.self, forKey: .initialization),
                  reconstructionError: try container.decode(Double.self, forKey: .reconstructionError),
                  elapsedSeconds: try container.decode(Double.self, forKey: .elapsedSeconds),
                  iterationEndSeconds: try container.decode([Double].self, forKey: .iterationEndSeconds))
    }

    public init(iterations: Int, converged: Bool, lossHistory: [Double], initialization: String,
                reconstructionError: Double, elapsedSeconds: Double, iterationEndSeconds: [Double] = []) {
        self.iterations = iterations
        self.converged = converged
        self.lossHistory = lossHistory
        self.initialization = initialization
        self.reconstructionError = reconstructionError
        self.elapsedSeconds = elapsedSeconds
        self.iterationEndSeconds = iterationEndSeconds
    }
}

/// One iteration as it finishes, for progress display.
public struct IterationProgress: Sendable {
    public let iteration: Int
    public let maxIterations: Int
    /// The latest error known: ‖V − W·H‖_F after this iteration (from the loss identity),
    /// or for a β-divergence √(2·D) of the iterate `errorIteration`, evaluated every
    /// 10 iterations in the pass after it.
    public let reconstructionError: Double
    /// The iteration `reconstructionError` belongs to (0: the initial factors).
    public let errorIteration: Int
    /// The error before that one.
    public let previousError: Double
    /// ‖V‖_F.
    public let dataNorm: Double
    /// The divergence the fit minimizes.
    public let loss: BetaLoss
    /// Seconds this iteration took: one pass over V plus the H update.
    public internal(set) var iterationSeconds: Double
    /// Seconds since the fit started.
    public internal(set) var elapsedSeconds: Double
    /// Whether the fit stops after this iteration (converged or out of iterations).
    public let isLast: Bool
    /// What the stopping rule last compared with the tolerance.
    public internal(set) var stoppingTest: StoppingTest? = nil

    /// ‖V − W·H‖_F / ‖V‖_F (Frobenius only).
    public var relativeError: Double? {
        RelativeError.of(reconstructionError, dataNorm: dataNorm, loss: loss)
    }

    /// (previous − current) / previous.
    public var relativeChange: Double {
        previousError > 0 ? (previousError - reconstructionError) / previousError : 0
    }
}
