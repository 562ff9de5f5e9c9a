import NMFKernels

/// Non-negative matrix factorization V ≈ W·H with scikit-learn's semantics.
///
///     let model = try NMF<Double>(NMFConfiguration(components: 10)).fit(v)
///     model.w, model.components, model.report.reconstructionError
///
/// `fit` takes a matrix in memory or any `RowBlockProvider` (a matrix streamed in
/// row blocks); both run the same engine and give the same result, bit for bit,
/// for any number of threads.
///
/// The engine runs its own workers, each calling OpenBLAS single-threaded: fitting
/// sets OpenBLAS to one thread for the process (`BLASThreads`).
public struct NMF<T: NMFScalar>: Sendable {
    public var configuration: NMFConfiguration
    /// Workers that process tiles of V in parallel (results do not depend on it).
    public var threads: Int

    public init(_ configuration: NMFConfiguration, threads: Int = 1) {
        self.configuration = configuration
        self.threads = max(1, threads)
    }

    /// Learns W and H for V.
    /// - Parameters:
    ///   - initialW, initialH: the starting factors when the initialization is `custom`.
    ///   - summary: the validating scan of V, when the caller has already made it.
    ///   - onIteration: called after each iteration (progress display).
    public func fit<Data: RowBlockProvider>(
        _ data: Data, initialW: Matrix<T>? = nil, initialH: Matrix<T>? = nil, summary: DataSummary? = nil,
        onIteration: ((IterationProgress) -> Void)? = nil
    ) throws -> FittedNMF<T> where Data.Element == T {
        let clock = Stopwatch()
        try configuration.validate()
        // Before the initialization too: its SVD's products must not depend on OpenBLAS's threads.
        BLASThreads.set(1)
        let method = try configuration.initializationMethod(
            samples: data.rows, features: data.columns, factorsGiven: initialW != nil || initialH != nil)
        let summary = try summary ?? DataSummary.scan(data, threads: threads)
        let (w0, h0) = try InitialFactors.make(
            for: data, summary: summary, configuration: configuration, method: method,
            customW: initialW, customH: initialH, threads: threads)
        let w = FactorRows(w0)
        var h = h0
        let report = try solve(data, w: w, h: &h, summary: summary, initialization: method.rawValue,
                               clock: clock, onIteration: onIteration)
        return FittedNMF(configuration: configuration, w: w.matrix!, components: h, report: report)
    }

    /// The alternating loop from initial factors, W wherever it lives, then the
    /// residual pass: what every fit shares once W₀ and H₀ exist.
    /// With `updatesH` false, H stays fixed and only W is solved for (`transform`).
    /// `resuming` continues from a checkpoint's loop state instead of H₀ = `h`.
    func solve<Data: RowBlockProvider>(
        _ data: Data, w: FactorRows<T>, h: inout Matrix<T>, summary: DataSummary, initialization: String,
        updatesH: Bool = true, clock: Stopwatch, onIteration: ((IterationProgress) -> Void)?,
        resuming: (state: LoopState<T>, secondsBefore: Double)? = nil, checkpoints: LoopCheckpoints<T>? = nil
    ) throws -> FitReport where Data.Element == T {
        BLASThreads.set(1)
        if resuming == nil { try summary.check(for: configuration.loss, source: data.sourceDescription) }
        let engine = AlternatingEngine(
            data: data, summary: summary,
            rule: configuration.solver.rule(innerSweeps: configuration.innerSweeps), loss: configuration.loss,
            penalties: configuration.regularization.penalties(samples: data.rows, features: data.columns),
            maxIterations: configuration.maxIterations, updatesH: updatesH, threads: threads,
            onIteration: onIteration)
        var state = resuming?.state
            ?? LoopState(h: h, stopping: StoppingRule(solver: configuration.solver, tolerance: configuration.tolerance))
        let secondsBefore = resuming?.secondsBefore ?? 0
        let outcome = try engine.run(w: w, state: &state, clock: clock, secondsBefore: secondsBefore,
                                     checkpoints: checkpoints)
        h = state.h
        let error = try data.reconstructionError(w: w, h: h, loss: configuration.loss, threads: threads)
        // Values near the top of T's range overflow the products to infinity and the factors to
        // NaN, which the final error shows (an infinite β-divergence is a fit, not an overflow).
        guard h.elements.allSatisfy(\.isFinite), !error.isNaN, error.isFinite || !configuration.loss.isFrobenius else {
            throw NMFError.overflow(source: data.sourceDescription, precision: T.precisionName)
        }
        var (lossHistory, converged) = (outcome.lossHistory, outcome.converged)
        // A β-divergence fit that ends on a 10th iteration: scikit-learn evaluates that iterate
        // too, and the final pass has just computed its divergence.
        if !configuration.loss.isFrobenius, let last = lossHistory.indices.last, last % 10 == 0, lossHistory[last].isNaN {
            lossHistory[last] = error
            converged = converged || state.stopping.isSatisfied(iteration: last, violation: 0, error: error,
                                                                initialError: lossHistory[0])
        }
        return FitReport(iterations: outcome.iterations, converged: converged,
                         lossHistory: lossHistory, initialization: initialization,
                         reconstructionError: error,
                         elapsedSeconds: secondsBefore + clock.elapsedSeconds,
                         iterationEndSeconds: outcome.iterationEndSeconds)
    }

    /// W for new rows with H fixed (scikit-learn's `transform`): this configuration's solver,
    /// tolerance, iteration limit and W regularization, starting from zeros (`cd`, `hals`)
    /// or from √(mean(X)/k) (`mu`, which cannot move away from zeros).
    /// - Parameter summary: the validating scan of the data, when the caller has already made it.
    public func transform<Data: RowBlockProvider>(
        _ data: Data, components: Matrix<T>, summary: DataSummary? = nil,
        onIteration: ((IterationProgress) -> Void)? = nil
    ) throws -> (w: Matrix<T>, report: FitReport) where Data.Element == T {
        try transform(data, components: components, summary: summary, clock: Stopwatch(), onIteration: onIteration)
    }

    /// `clock`: started by a caller that has done part of the work (the validating scan).
    func transform<Data: RowBlockProvider>(
        _ data: Data, components: Matrix<T>, summary: DataSummary?, clock: Stopwatch,
        onIteration: ((IterationProgress) -> Void)?
    ) throws -> (w: Matrix<T>, report: FitReport) where Data.Element == T {
        try configuration.validate()
        guard data.columns == components.columns else {
            throw NMFError.shapeMismatch(what: "\(data.sourceDescription)",
                                         expected: [data.rows, components.columns],
                                         actual: [data.rows, data.columns])
        }
        let summary = try summary ?? DataSummary.scan(data, threads: threads)
        let k = components.rows
        let start: T = configuration.solver == .mu ? (T(summary.mean) / T(k)).squareRoot() : 0
        let w = FactorRows(Matrix<T>(rows: data.rows, columns: k, repeating: start))
        var h = components
        let report = try solve(data, w: w, h: &h, summary: summary, initialization: "transform", updatesH: false,
                               clock: clock, onIteration: onIteration)
        return (w.matrix!, report)
    }

    public func fit(_ v: Matrix<T>, initialW: Matrix<T>? = nil, initialH: Matrix<T>? = nil,
                    onIteration: ((IterationProgress) -> Void)? = nil) throws -> FittedNMF<T> {
        try fit(InMemoryRowBlocks(v), initialW: initialW, initialH: initialH, onIteration: onIteration)
    }

    /// W for V (scikit-learn's `fit_transform`).
    public func fitTransform(_ v: Matrix<T>, initialW: Matrix<T>? = nil,
                             initialH: Matrix<T>? = nil) throws -> Matrix<T> {
        try fit(v, initialW: initialW, initialH: initialH).w
    }
}

/// A fitted model: the factors, the report, and the model applied to new data.
public struct FittedNMF<T: NMFScalar>: Sendable {
    public let configuration: NMFConfiguration
    /// W (m×k) for the rows the model was fitted on.
    public let w: Matrix<T>
    /// H (k×n), scikit-learn's `components_`.
    public let components: Matrix<T>
    public let report: FitReport

    public init(configuration: NMFConfiguration, w: Matrix<T>, components: Matrix<T>, report: FitReport) {
        self.configuration = configuration
        self.w = w
        self.components = components
        self.report = report
    }

    /// W for new rows with H fixed (scikit-learn's `transform`): the fit's solver,
    /// tolerance, iteration limit and W regularization, starting from zeros (`cd`,
    /// `hals`) or from √(mean(X)/k) (`mu`, which cannot move away from zeros).
    public func transform<Data: RowBlockProvider>(
        _ data: Data, threads: Int = 1, onIteration: ((IterationProgress) -> Void)? = nil
    ) throws -> (w: Matrix<T>, report: FitReport) where Data.Element == T {
        try NMF(configuration, threads: threads).transform(data, components: components, onIteration: onIteration)
    }

    public func transform(_ x: Matrix<T>) throws -> Matrix<T> {
        try transform(InMemoryRowBlocks(x)).w
    }

    /// W·H: data in the original space (scikit-learn's `inverse_transform`).
    public func inverseTransform(_ w: Matrix<T>) throws -> Matrix<T> {
        guard w.columns == components.rows else {
            throw NMFError.shapeMismatch(what: "W", expected: [w.rows, components.rows],
                                         actual: [w.rows, w.columns])
        }
        return Matrix.product(w, components)
    }
}
