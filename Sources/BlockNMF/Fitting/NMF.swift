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
    /// Set for a fit inside another run's start (`RowSample`'s): nil for a run of its own.
    var nested: NestedFit?

    /// How a fit inside another run differs from a run: its stopping rule compares the
    /// objective with `stoppingWindow` iterations before (`StoppingRule.window`), and its passes
    /// reach none of the crash points tests stop a run at (`CrashPoint`), which would otherwise
    /// count them as the run's.
    struct NestedFit {
        var stoppingWindow: Int
    }

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
        let w = FactorRows<T>(unfilledRows: data.rows, columns: configuration.components)
        var h = try InitialFactors.place(
            into: w, for: data, summary: summary, configuration: configuration, method: method,
            givenW: initialW.map { .matrix($0, named: "W") }, givenH: initialH, threads: threads)
        let report = try solve(data, w: w, h: &h, summary: summary, initialization: method.rawValue,
                               clock: clock, onIteration: onIteration)
        return FittedNMF(configuration: configuration, w: w.matrix!, components: h, report: report)
    }

    /// The alternating loop from initial factors, W wherever it lives, then the
    /// residual pass: what every fit shares once W₀ and H₀ exist.
    /// `resuming` continues from a checkpoint's loop state instead of H₀ = `h`.
    func solve<Data: RowBlockProvider>(
        _ data: Data, w: FactorRows<T>, h: inout Matrix<T>, summary: DataSummary, initialization: String,
        clock: Stopwatch, onIteration: ((IterationProgress) -> Void)?,
        resuming: (state: LoopState<T>, secondsBefore: Double)? = nil, checkpoints: LoopCheckpoints<T>? = nil
    ) throws -> FitReport where Data.Element == T {
        let state = resuming?.state ?? startingState(h)
        let penalties = configuration.regularization.penalties(samples: data.rows, features: data.columns)
        let context = stepContext(data, summary: summary, wPenalty: penalties.w, stopping: state.stopping, fixedH: false)
        let run = StepRun(data: data, w: w, summary: summary, initialization: initialization, clock: clock,
                          onIteration: onIteration, resuming: resuming != nil,
                          secondsBefore: resuming?.secondsBefore ?? 0, checkpoints: checkpoints)
        if configuration.solver == .anls {
            var step = ANLSFit(context: context, hPenalty: penalties.h, state: state)
            return try solve(&step, run, state: state, h: &h)
        }
        if configuration.loss.isFrobenius {
            var step = FrobeniusFit(context: context, rule: updateRule, hPenalty: penalties.h, h: state.h)
            return try solve(&step, run, state: state, h: &h)
        }
        var step = DivergenceFit<T>(context: context, hPenalty: penalties.h)
        return try solve(&step, run, state: state, h: &h)
    }

    /// W for fixed `h`: the transform steps of the configuration's loss, from W₀ = `w`.
    private func solveForW<Data: RowBlockProvider>(
        _ data: Data, w: FactorRows<T>, h: Matrix<T>, summary: DataSummary, clock: Stopwatch,
        onIteration: ((IterationProgress) -> Void)?
    ) throws -> FitReport where Data.Element == T {
        let state = startingState(h)
        let penalty = configuration.regularization.penalties(samples: data.rows, features: data.columns).w
        let context = stepContext(data, summary: summary, wPenalty: penalty, stopping: state.stopping, fixedH: true)
        let run = StepRun(data: data, w: w, summary: summary, initialization: "transform", clock: clock,
                          onIteration: onIteration, resuming: false, secondsBefore: 0, checkpoints: nil)
        var fixed = h
        if configuration.solver == .anls {
            var step = ANLSTransform(context: context, hht: HGram(h))
            return try solve(&step, run, state: state, h: &fixed)
        }
        if configuration.loss.isFrobenius {
            var step = FrobeniusTransform(context: context, rule: updateRule, hht: HGram(h))
            return try solve(&step, run, state: state, h: &fixed)
        }
        var step = DivergenceTransform<T>(context: context)
        return try solve(&step, run, state: state, h: &fixed)
    }

    /// What a solve needs besides its step.
    private struct StepRun<Data: RowBlockProvider> where Data.Element == T {
        let data: Data
        let w: FactorRows<T>
        let summary: DataSummary
        let initialization: String
        let clock: Stopwatch
        let onIteration: ((IterationProgress) -> Void)?
        let resuming: Bool
        let secondsBefore: Double
        let checkpoints: LoopCheckpoints<T>?
    }

    private var updateRule: UpdateScheme { configuration.solver.rule(innerSweeps: configuration.innerSweeps) }

    private func startingState(_ h: Matrix<T>) -> LoopState<T> {
        LoopState(h: h, stopping: StoppingRule(solver: configuration.solver, tolerance: configuration.tolerance,
                                               window: nested?.stoppingWindow ?? 1))
    }

    /// `fixedH`: a transform, whose loss takes ⟨V, W·H⟩ from each tile's Vₜ·Hᵀ (a row of V's
    /// columns in each sum) where a fit takes ⟨WᵀV, H⟩ from Wₜᵀ·Vₜ (a tile's rows).
    private func stepContext<Data: RowBlockProvider>(_ data: Data, summary: DataSummary, wPenalty: Penalty,
                                                     stopping: StoppingRule, fixedH: Bool) -> StepContext {
        let productLength = fixedH ? max(data.rowsPerTile, data.columns) : data.rowsPerTile
        let tiles = (data.rows + data.rowsPerTile - 1) / max(data.rowsPerTile, 1)
        return StepContext(dataSquaredNorm: summary.squaredNorm,
                           identityRounding: Double(productLength) * Double(T.ulpOfOne) + Double(tiles) * Double.ulpOfOne,
                           loss: configuration.loss, wPenalty: wPenalty, maxIterations: configuration.maxIterations,
                           cadence: stopping.cadence, stopsEarly: stopping.tolerance > 0, source: data.sourceDescription)
    }

    /// Runs `step` through the loop, then measures the final factors' error in one more pass
    /// unless the step's last pass did (`AlternatingStep.finalError`).
    private func solve<Data: RowBlockProvider, Step: AlternatingStep<T>>(
        _ step: inout Step, _ run: StepRun<Data>, state start: LoopState<T>, h: inout Matrix<T>
    ) throws -> FitReport {
        let data = run.data
        BLASThreads.set(1)
        if !run.resuming { try run.summary.check(for: configuration.loss, source: data.sourceDescription) }
        let loop = AlternatingLoop(data: data, reduction: LocalReduction(), maxIterations: configuration.maxIterations,
                                   threads: threads, onIteration: run.onIteration,
                                   reachesCrashPoints: nested == nil)
        var state = start
        try loop.run(&step, w: run.w, state: &state, clock: run.clock, secondsBefore: run.secondsBefore,
                     checkpoints: run.checkpoints)
        h = state.h
        let error = try step.finalError(of: state) ?? data.reconstructionError(
            w: run.w, h: h, loss: configuration.loss, threads: threads, reduction: loop.reduction)
        // Values near the top of T's range overflow the products to infinity and the factors to
        // NaN, which the final error shows (an infinite β-divergence is a fit, not an overflow).
        guard h.elements.allSatisfy(\.isFinite), !error.isNaN, error.isFinite || !configuration.loss.isFrobenius else {
            throw NMFError.overflow(source: data.sourceDescription, precision: T.precisionName)
        }
        step.completeHistory(finalError: error, state: &state)
        return FitReport(iterations: state.iteration, converged: state.converged,
                         lossHistory: state.lossHistory, initialization: run.initialization,
                         reconstructionError: error,
                         elapsedSeconds: run.secondsBefore + run.clock.elapsedSeconds,
                         iterationEndSeconds: state.iterationEndSeconds)
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
        let start: T = InitialFactors.transformStart(solver: configuration.solver, mean: summary.mean, components: k)
        let w = FactorRows(Matrix<T>(rows: data.rows, columns: k, repeating: start))
        let report = try solveForW(data, w: w, h: components, summary: summary, clock: clock,
                                   onIteration: onIteration)
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
