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
    public var lossHistory: [Double]
    /// The initialization that was used (the default rule resolved).
    public var initialization: String
    /// ‖V − W·H‖_F of the final factors (scikit-learn's `reconstruction_err_`),
    /// computed directly from the residual rather than from the loss identity.
    public var reconstructionError: Double
    /// Wall-clock seconds of the whole fit, initialization included.
    public var elapsedSeconds: Double
    /// Seconds from the start of the fit to the end of each iteration.
    public var iterationEndSeconds: [Double]

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
    /// ‖V − W·H‖_F after this iteration (from the loss identity).
    public let reconstructionError: Double
    /// The same before this iteration.
    public let previousError: Double
    /// ‖V‖_F.
    public let dataNorm: Double
    /// Seconds this iteration took: one pass over V plus the H update.
    public let iterationSeconds: Double
    /// Seconds since the fit started.
    public let elapsedSeconds: Double
    /// Whether the fit stops after this iteration (converged or out of iterations).
    public let isLast: Bool

    /// (previous − current) / previous.
    public var relativeChange: Double {
        previousError > 0 ? (previousError - reconstructionError) / previousError : 0
    }
}
