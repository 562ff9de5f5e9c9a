import ComponentPictures
import FileStorage
import HDF5Store
import NMFKernels

/// One factorization once its input is open: sizes the fit and checks the machine can
/// carry it, then — with V read — resumes from a checkpoint or starts afresh (the
/// validating scan, W placed in memory or a scratch file, the initial factors, the first
/// checkpoint), solves, and writes and commits the result.
struct FitSession: MatrixReading {
    typealias Output = FactorizationSummary
    let request: FactorizationRequest
    let input: MatrixInput
    let output: PendingOutput
    let image: PendingFile?
    let onProgress: ((FactorizationProgress) -> Void)?
    let onCheckpoint: ((CheckpointEvent) -> Void)?

    /// What the fit will hold and write, from V's shape and plan alone.
    private struct Sizing {
        let method: InitializationMethod
        let wInMemory: Bool
        let footprint: FitFootprint
        let targets: [FitFootprint.Target]
    }

    /// How the fit starts, from V's shape: the configured initialization, or the default one,
    /// and the rows of V's sample when it starts from one.
    private func start(rows m: Int, columns n: Int, elementBytes: Int, rowsPerTile: Int) throws
        -> (method: InitializationMethod, sampleRows: Int)
    {
        let configuration = request.configuration
        let k = configuration.components
        var method = try configuration.initializationMethod(
            samples: m, features: n, factorsGiven: request.initialW != nil || request.initialH != nil)
        guard method == .sample else { return (method, 0) }
        let sampleRows = RowSample.rowCount(rows: m, columns: n, components: k, rowsPerTile: rowsPerTile)
        // The sample is read and fitted before V's buffers exist, but beside V when V is kept in
        // memory (at most half the budget): it gets the other half.
        let sampleBytes = RowSample.memoryBytes(sampleRows: sampleRows, columns: n, components: k,
                                                elementBytes: elementBytes)
        if sampleBytes > request.memory.bytes / 2 {
            guard configuration.initialization == nil else {
                throw NMFError.sampleTooLargeForBudget(rows: sampleRows, bytes: sampleBytes,
                                                       budget: request.memory.bytes)
            }
            // The default start when the sample does not fit: one that reads V no more (the
            // NNDSVD family's SVD would read it many times).
            method = .random
            return (method, 0)
        }
        return (method, sampleRows)
    }

    private func sizing(rows m: Int, columns n: Int, elementBytes: Int, rowsPerTile: Int, plan: StreamPlan) throws
        -> Sizing
    {
        let configuration = request.configuration
        let (method, sampleRows) = try start(rows: m, columns: n, elementBytes: elementBytes, rowsPerTile: rowsPerTile)
        let shape = FitFootprint.Shape(rows: m, columns: n, components: configuration.components,
                                       elementBytes: elementBytes, rowsPerTile: rowsPerTile)
        let placement = try FitFootprint.placeW(
            shape, storage: request.wStorage, keepsPreviousW: !configuration.loss.isFrobenius && configuration.tolerance > 0,
            checkpoints: request.checkpoint != nil, budget: request.memory)
        let footprint = try FitFootprint(
            shape, threads: request.threads, wInMemory: placement.inMemory, wCopies: placement.copies,
            svd: method.needsSVD,
            sampleRows: sampleRows,
            denseDivergence: !configuration.loss.isFrobenius,
            checkpoints: request.checkpoint != nil, maxIterations: configuration.maxIterations, plan: plan,
            budget: request.memory)
        let targets = footprint.targets(output: request.output, scratchDirectory: request.scratchDirectory,
                                        checkpointDirectory: request.checkpoint?.directory)
        return Sizing(method: method, wInMemory: placement.inMemory, footprint: footprint, targets: targets)
    }

    /// The NNDSVD family's randomized SVD holds matrices of V's height while it reads V: they
    /// come out of the budget, and V's buffers get the rest.
    func reservedBytes(rows: Int, columns: Int, elementBytes: Int, rowsPerTile: Int) throws -> Int {
        let method = try start(rows: rows, columns: columns, elementBytes: elementBytes, rowsPerTile: rowsPerTile).method
        guard method.needsSVD else { return 0 }
        let bytes = try FitFootprint.svdBytes(.init(rows: rows, columns: columns,
                                                    components: request.configuration.components,
                                                    elementBytes: elementBytes, rowsPerTile: rowsPerTile))
        if bytes > request.memory.bytes / 2 {
            throw NMFError.svdTooLargeForBudget(initialization: method, bytes: bytes, budget: request.memory.bytes)
        }
        return bytes
    }

    /// Checks that the machine can carry the fit (memory, free space) before V is read or
    /// put in row order, let alone the first pass.
    func check(plan: StreamPlan, elementBytes: Int, rowsPerTile: Int) throws {
        let sizing = try sizing(rows: input.rows, columns: input.columns, elementBytes: elementBytes,
                                rowsPerTile: rowsPerTile, plan: plan)
        try sizing.footprint.checkMemory(rank: request.configuration.components, budget: request.memory)
        try sizing.footprint.checkSpace(sizing.targets)
    }

    /// Fits; a write that meets a full disk names what needed the space.
    func read<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(_ data: Data, reader: Reader,
                                                                         plan: StreamPlan) throws -> FactorizationSummary
        where Data.Element: HDF5Scalar
    {
        let sizing = try sizing(rows: data.rows, columns: data.columns, elementBytes: MemoryLayout<Data.Element>.stride,
                                rowsPerTile: data.rowsPerTile, plan: plan)
        do {
            return try fit(data, reader: reader, plan: plan, method: sizing.method, wInMemory: sizing.wInMemory)
        } catch {
            throw FitFootprint.explaining(error, targets: sizing.targets, temporaryOutput: output.file.path)
        }
    }

    /// Where a fit starts: V's statistics, W₀ in its place, and the loop's state.
    private struct Start<T: NMFScalar> {
        var summary: DataSummary
        var w: FactorRows<T>
        var state: LoopState<T>
        /// Whether the state is a checkpoint's.
        var resumed: Bool
    }

    private func fit<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(
        _ data: Data, reader: Reader, plan: StreamPlan, method: InitializationMethod, wInMemory: Bool
    ) throws -> FactorizationSummary where Data.Element: HDF5Scalar {
        let clock = Stopwatch()
        BLASThreads.set(1)
        let session = try request.checkpoint.map {
            try CheckpointSession<Data.Element>(
                options: $0,
                identity: try RunIdentity.settings(request: request, dataset: input.dataset, reader: reader,
                                                   storedType: input.storedType.name, method: method),
                stopRequest: request.stopRequest, timeLimit: request.timeLimit, clock: clock, onEvent: onCheckpoint)
        }
        var finished = false
        defer { if !finished { session?.abandon() } }
        let start = try session?.resume(rows: data.rows, columns: data.columns,
                                        components: request.configuration.components,
                                        maxIterations: request.configuration.maxIterations, wInMemory: wInMemory)
            .map { Start(summary: $0.summary, w: $0.w, state: $0.state, resumed: true) }
            ?? startAfresh(data, method: method, wInMemory: wInMemory, session: session)
        var h = start.state.h
        let report: FitReport
        do {
            report = try NMF<Data.Element>(request.configuration, threads: request.threads).solve(
                data, w: start.w, h: &h, summary: start.summary, initialization: method.rawValue, clock: clock,
                onIteration: FactorizationProgress.reporting(to: onProgress, from: reader),
                resuming: start.resumed ? (start.state, session?.secondsBefore ?? 0) : nil,
                checkpoints: session?.loopCheckpoints)
        } catch let stopped as LoopStopped {
            throw stoppedRun(stopped, rows: data.rows, checkpointDirectory: session?.directory.path ?? "",
                             saved: true)
        }
        let result = summary(of: report, data: data, summary: start.summary, plan: plan, reader: reader,
                             wInMemory: wInMemory, checkpoint: session?.report)
        try write(w: start.w, h: h, result: result)
        session?.finish()
        finished = true
        return result
    }

    /// A fit with no checkpoint to resume: the validating scan, W placed and initialized,
    /// and the first checkpoint when there are checkpoints.
    private func startAfresh<Data: RowBlockProvider>(
        _ data: Data, method: InitializationMethod, wInMemory: Bool, session: CheckpointSession<Data.Element>?
    ) throws -> Start<Data.Element> where Data.Element: HDF5Scalar {
        typealias T = Data.Element
        let configuration = request.configuration
        let (m, k) = (data.rows, configuration.components)
        if !wInMemory, method.needsSVD {
            throw NMFError.factorTooLargeForInitialization(initialization: method, bytes: m * k * MemoryLayout<T>.stride,
                                                           budget: request.memory.bytes)
        }
        let givenH = try request.initialH.map { try readFactor($0, as: T.self) }
        let summary: DataSummary
        do {
            summary = try DataSummary.scan(data, threads: request.threads, stop: session?.stopReason)
            try summary.check(for: configuration.loss, source: data.sourceDescription)
        } catch let stopped as LoopStopped {
            throw stoppedRun(stopped, rows: m, checkpointDirectory: request.checkpoint?.directory ?? "", saved: false)
        }
        // W₀ is made where it will live: in memory (then copied into the checkpoint's buffers),
        // or in the scratch file or the checkpoint's buffers directly.
        let placed = wInMemory ? FactorRows<T>(unfilledRows: m, columns: k)
            : try session?.makeBuffers(rows: m, components: k, initial: nil)
                ?? FactorRows(scratch: try scratchFile(rows: m, columns: k))
        let h = try InitialFactors.place(
            into: placed, for: data, summary: summary, configuration: configuration, method: method,
            givenW: request.initialW.map { .dataset($0, named: "W") }, givenH: givenH, threads: request.threads)
        let w = try wInMemory ? session?.makeBuffers(rows: m, components: k, initial: placed.matrix!) ?? placed : placed
        let state = LoopState(h: h, stopping: StoppingRule(solver: configuration.solver,
                                                           tolerance: configuration.tolerance))
        if let session {
            session.begin(summary: summary)
            try session.save(state)
        }
        return Start(summary: summary, w: w, state: state, resumed: false)
    }

    private func stoppedRun(_ stopped: LoopStopped, rows: Int, checkpointDirectory: String, saved: Bool)
        -> FactorizationStopped
    {
        FactorizationStopped(reason: stopped.reason, iteration: stopped.state.iteration,
                             rowsDone: stopped.state.rowsDone, rows: rows, checkpointDirectory: checkpointDirectory,
                             checkpointSaved: saved)
    }

    private func summary<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(
        of report: FitReport, data: Data, summary: DataSummary, plan: StreamPlan, reader: Reader, wInMemory: Bool,
        checkpoint: CheckpointReport?
    ) -> FactorizationSummary {
        let configuration = request.configuration
        let dataNorm = summary.squaredNorm.squareRoot()
        return FactorizationSummary(
            input: request.input, dataset: input.dataset, rows: data.rows, columns: data.columns,
            storedType: input.storedType.name, precision: Data.Element.precisionName, output: request.output,
            report: report,
            relativeError: RelativeError.of(report.reconstructionError, dataNorm: dataNorm, loss: configuration.loss),
            plan: plan, wStorage: wInMemory ? "memory" : "scratch", threads: request.threads,
            memoryBudgetBytes: request.memory.bytes,
            readsInPlace: plan.mode == .streamed && reader.readsInPlace, bytesRead: reader.bytesRead,
            readSeconds: reader.readSeconds, peakResidentBytes: ResourceUsage.peakResidentBytes,
            checkpoint: checkpoint, componentsImage: request.componentsImage?.path)
    }

    /// The result file, and the components' picture when asked for, put in place.
    private func write<T: NMFScalar & HDF5Scalar>(w: FactorRows<T>, h: Matrix<T>,
                                                  result: FactorizationSummary) throws {
        try FactorizationFile.write(w: w, h: h, configuration: request.configuration, summary: result, to: output.file)
        if let image, let shape = request.componentsImage?.shape {
            try image.write(try ComponentImages.grid(h, shape: shape, source: "\(request.output):/H").pngData)
        }
        try output.commit()
        try image?.commit()
    }

    /// A hidden file in the scratch directory, unique to this run and unlinked at once.
    private func scratchFile<T: NMFScalar>(rows: Int, columns: Int) throws -> ScratchRowFile<T> {
        let output = request.output
        let name = output.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? output
        return try ScratchRowFile<T>.temporary(in: Factorization.scratchDirectory(for: request),
                                               prefix: ".\(name).W-scratch-", rows: rows, columns: columns)
    }

    private func readFactor<T: NMFScalar & HDF5Scalar>(_ reference: DatasetReference, as _: T.Type) throws
        -> Matrix<T>
    {
        let file = try HDF5File.openReadOnly(reference.file)
        let (rows, columns, elements) = try file.readMatrix(dataset: reference.dataset, as: T.self)
        return Matrix(rows: rows, columns: columns, elements: elements)
    }
}
