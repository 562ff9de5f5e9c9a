import Foundation
import HDF5Store
import NMFKernels

#if canImport(Glibc)
import Glibc
#endif

/// `blocknmf factor` as a library call: factor a dataset of an HDF5 file and
/// write W, H, the loss history and every parameter to a new HDF5 file.
public struct FactorizationRequest: Sendable {
    public var input: String
    /// nil: the file's only 2-D numeric dataset.
    public var dataset: String?
    public var output: String
    public var configuration: NMFConfiguration
    public var precision: Precision
    public var initialW: DatasetReference?
    public var initialH: DatasetReference?
    /// Workers computing on tiles of V (results do not depend on it).
    public var threads: Int
    /// Memory for V's buffers (W and H come on top).
    public var memory: MemoryBudget
    /// Rows per read, instead of the budget's choice; forces streaming.
    public var blockRows: Int?
    /// Where W lives during the fit.
    public var wStorage: FactorStorage
    /// Directory of W's scratch file when W is not in memory (nil: the output's directory).
    public var scratchDirectory: String?
    /// Keep checkpoints there and resume from them (nil: no checkpoints).
    public var checkpoint: CheckpointOptions?
    /// Asks a checkpointed run to stop at its next consistent point (e.g. from a signal handler).
    public var stopRequest: StopRequest?
    /// Stop as on a stop request once the run has taken this many seconds.
    public var timeLimit: Double?
    /// Draw H's components as a PNG grid when the fit succeeds (V's rows are images).
    public var componentsImage: ComponentsImageRequest?

    public init(input: String, dataset: String? = nil, output: String, configuration: NMFConfiguration,
                precision: Precision = .auto, initialW: DatasetReference? = nil,
                initialH: DatasetReference? = nil, threads: Int = WorkerThreads.default,
                memory: MemoryBudget = .default, blockRows: Int? = nil, wStorage: FactorStorage = .auto,
                scratchDirectory: String? = nil, checkpoint: CheckpointOptions? = nil,
                stopRequest: StopRequest? = nil, timeLimit: Double? = nil,
                componentsImage: ComponentsImageRequest? = nil) {
        self.input = input
        self.dataset = dataset
        self.output = output
        self.configuration = configuration
        self.precision = precision
        self.initialW = initialW
        self.initialH = initialH
        self.threads = threads
        self.memory = memory
        self.blockRows = blockRows
        self.wStorage = wStorage
        self.scratchDirectory = scratchDirectory
        self.checkpoint = checkpoint
        self.stopRequest = stopRequest
        self.timeLimit = timeLimit
        self.componentsImage = componentsImage
    }
}

/// Where to draw a fit's components and the images they are (`ComponentImages`).
public struct ComponentsImageRequest: Sendable, Equatable {
    /// The PNG file to write.
    public var path: String
    /// The image each row of V (and so each component) holds; its pixels must number n.
    public var shape: ImageShape

    public init(path: String, shape: ImageShape) {
        self.path = path
        self.shape = shape
    }
}

/// Where W (m×k) lives during a fit.
public enum FactorStorage: String, Sendable, Codable, CaseIterable {
    /// In memory when it takes at most half the memory budget, else in a scratch file.
    case auto
    case memory
    /// In a scratch file, read and written a tile of rows at a time beside V.
    case scratch
}

/// What a finished factorization reports.
public struct FactorizationSummary: Sendable, Codable {
    public var input: String
    public var dataset: String
    public var rows: Int
    public var columns: Int
    public var storedType: String
    public var precision: String
    public var output: String
    public var report: FitReport
    /// ‖V − W·H‖_F / ‖V‖_F; for a β-divergence other than Frobenius, nil (its error is
    /// `report.reconstructionError`, √(2·D)).
    public var relativeError: Double?
    public var plan: StreamPlan
    /// Where W lived: "memory" or "scratch".
    public var wStorage: String
    public var threads: Int
    public var memoryBudgetBytes: Int
    /// Whether the streamed input was mapped into memory (uncompressed rows in the working
    /// type), so that blocks found in the page cache were used in place, not copied.
    public var readsInPlace: Bool
    /// Bytes of V delivered by the reader in the working precision, all passes together.
    public var bytesRead: Int
    /// Seconds the reader spent in HDF5 (read, decompression, conversion).
    public var readSeconds: Double
    /// Peak resident memory of the process (getrusage), in bytes.
    public var peakResidentBytes: Int
    /// What checkpointing did, when asked for.
    public var checkpoint: CheckpointReport?
    /// The PNG of the components, when asked for.
    public var componentsImage: String?
}

/// The request could not be carried out as asked, for a reason outside the data.
public enum FactorizationError: Error, Equatable, CustomStringConvertible {
    case outputIsInput(path: String)
    /// `transform` and `inverse-transform` would replace the model they read.
    case outputIsModel(path: String)

    public var description: String {
        switch self {
        case .outputIsInput(let path): "output \(path) is the input file; choose another output path"
        case .outputIsModel(let path): "output \(path) is the model file; choose another output path"
        }
    }
}

public enum Factorization {
    /// `onRowOrder` hears how far putting a column-compressed V in row order is, before the fit.
    public static func run(_ request: FactorizationRequest,
                           onProgress: ((FactorizationProgress) -> Void)? = nil,
                           onCheckpoint: ((CheckpointEvent) -> Void)? = nil,
                           onRowOrder: ((RowOrderProgress) -> Void)? = nil) throws -> FactorizationSummary {
        try request.validate()
        let input = try MatrixInput(path: request.input, dataset: request.dataset)
        let outputs = [request.output, request.componentsImage?.path].compactMap { $0 }
        if let clash = outputs.first(where: { isSameFile(request.input, $0) }) {
            throw FactorizationError.outputIsInput(path: clash)
        }
        if let image = request.componentsImage {
            try ComponentImages.check(image.shape, columns: input.columns, source: input.description)
        }
        // Created before the fit so an unwritable destination fails before the work.
        let output = try PendingOutput(path: request.output)
        defer { output.discard() }
        let image = try request.componentsImage.map { try PendingFile(path: $0.path) }
        defer { image?.discard() }
        let rowOrder = RowOrderSettings(directory: scratchDirectory(for: request), onProgress: onRowOrder,
                                        stop: request.stopRequest.map { stop in { stop.reason } })
        do {
            return try input.read(
                precision: request.precision, memory: request.memory, blockRows: request.blockRows, rowOrder: rowOrder,
                Run(request: request, input: input, output: output, image: image, onProgress: onProgress,
                    onCheckpoint: onCheckpoint))
        } catch let stopped as LoopStopped {
            // Asked to stop while V was put in row order: before the first checkpoint.
            throw FactorizationStopped(reason: stopped.reason, iteration: 0, rowsDone: 0, rows: input.rows,
                                       checkpointDirectory: request.checkpoint?.directory ?? "", checkpointSaved: false)
        }
    }

    /// A factorization once its input is open: everything after reading V is set up.
    private struct Run: MatrixReading {
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
            let wCopies: Int
            let wInMemory: Bool
            let footprint: FitFootprint
            let targets: [FitFootprint.Target]
        }

        private func sizing(rows m: Int, columns n: Int, elementBytes: Int, rowsPerTile: Int, plan: StreamPlan) throws
            -> Sizing
        {
            let configuration = request.configuration
            let k = configuration.components
            let method = try configuration.initializationMethod(
                samples: m, features: n, factorsGiven: request.initialW != nil || request.initialH != nil)
            // A β-divergence fit that may stop early keeps a copy of W through every 10th pass
            // (with checkpoints, in the buffer files instead).
            let wCopies = !configuration.loss.isFrobenius && configuration.tolerance > 0 && request.checkpoint == nil ? 2 : 1
            let shape = FitFootprint.Shape(rows: m, columns: n, components: k, elementBytes: elementBytes,
                                           rowsPerTile: rowsPerTile)
            let wBytes = try shape.bytes(m, k, shape.elementBytes)
            let inMemory = request.wStorage == .memory
                || (request.wStorage == .auto && wCopies * wBytes <= request.memory.bytes / 2)
            let footprint = try FitFootprint(
                shape, threads: request.threads, wInMemory: inMemory, wCopies: wCopies, svd: method.needsSVD,
                denseDivergence: !configuration.loss.isFrobenius, checkpoints: request.checkpoint != nil,
                maxIterations: configuration.maxIterations, plan: plan, budget: request.memory)
            let targets = footprint.targets(output: request.output, scratchDirectory: request.scratchDirectory,
                                         checkpointDirectory: request.checkpoint?.directory)
            return Sizing(method: method, wCopies: wCopies, wInMemory: inMemory, footprint: footprint, targets: targets)
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
        func read<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(_ data: Data, reader streamed: Reader,
                                          plan: StreamPlan) throws -> FactorizationSummary
            where Data.Element: HDF5Scalar
        {
            let sizing = try sizing(rows: data.rows, columns: data.columns, elementBytes: MemoryLayout<Data.Element>.stride,
                                    rowsPerTile: data.rowsPerTile, plan: plan)
            do {
                return try fit(data, reader: streamed, plan: plan, method: sizing.method, wCopies: sizing.wCopies,
                               inMemory: sizing.wInMemory)
            } catch let error as HDF5StoreError {
                throw FitFootprint.explaining(error, targets: sizing.targets, temporaryOutput: output.file.path)
            }
        }

        private func fit<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(
            _ data: Data, reader streamed: Reader, plan: StreamPlan, method: InitializationMethod, wCopies: Int,
            inMemory: Bool
        ) throws -> FactorizationSummary where Data.Element: HDF5Scalar {
            typealias T = Data.Element
            let customH = try request.initialH.map { try readFactor($0, as: T.self) }
            let configuration = request.configuration
            let (dataset, storedType) = (input.dataset, input.storedType.name)
            let clock = Stopwatch()
            BLASThreads.set(1)
            let nmf = NMF<T>(configuration, threads: request.threads)
            let (m, n, k) = (data.rows, data.columns, configuration.components)
            let wBytes = m * k * MemoryLayout<T>.stride
            let session = try request.checkpoint.map {
                try CheckpointSession<T>(
                    options: $0,
                    identity: try RunIdentity.settings(request: request, dataset: dataset, reader: streamed,
                                                       storedType: storedType, method: method),
                    stopRequest: request.stopRequest, timeLimit: request.timeLimit, clock: clock, onEvent: onCheckpoint)
            }
            var finished = false
            defer { if !finished { session?.abandon() } }
            let summary: DataSummary
            let w: FactorRows<T>
            var h: Matrix<T>
            var resumedState: LoopState<T>?
            if let session, let resumed = try session.resume(rows: m, columns: n, components: k,
                                                             maxIterations: configuration.maxIterations,
                                                             wInMemory: inMemory) {
                (summary, w, h, resumedState) = (resumed.summary, resumed.w, resumed.state.h, resumed.state)
            } else {
                if !inMemory, method.needsSVD {
                    throw NMFError.factorTooLargeForInitialization(initialization: method, bytes: wBytes,
                                                                   budget: request.memory.bytes)
                }
                do {
                    summary = try DataSummary.scan(data, threads: request.threads, stop: session?.stopReason)
                    try summary.check(for: configuration.loss, source: data.sourceDescription)
                } catch let stopped as LoopStopped {
                    throw FactorizationStopped(reason: stopped.reason, iteration: 0, rowsDone: 0, rows: m,
                                               checkpointDirectory: request.checkpoint?.directory ?? "",
                                               checkpointSaved: false)
                }
                if inMemory {
                    let customW = try request.initialW.map { try readFactor($0, as: T.self) }
                    let (w0, h0) = try InitialFactors.make(
                        for: data, summary: summary, configuration: configuration, method: method,
                        customW: customW, customH: customH, threads: request.threads)
                    w = try session?.makeBuffers(rows: m, components: k, initial: w0) ?? FactorRows(w0)
                    h = h0
                } else {
                    w = try session?.makeBuffers(rows: m, components: k, initial: nil)
                        ?? FactorRows(scratch: try scratchFile(for: request, rows: m, columns: k))
                    h = try initializeOutOfCore(w, method: method, configuration: configuration, summary: summary,
                                                request: request, customH: customH, wBytes: wBytes)
                }
                if let session {
                    session.begin(summary: summary)
                    try session.save(LoopState(h: h, stopping: StoppingRule(solver: configuration.solver,
                                                                            tolerance: configuration.tolerance)))
                }
            }
            let report: FitReport
            do {
                report = try nmf.solve(
                    data, w: w, h: &h, summary: summary, initialization: method.rawValue, clock: clock,
                    onIteration: FactorizationProgress.reporting(to: onProgress, from: streamed),
                    resuming: resumedState.map { ($0, session?.secondsBefore ?? 0) },
                    checkpoints: session?.loopCheckpoints)
            } catch let stopped as LoopStopped {
                throw FactorizationStopped(reason: stopped.reason, iteration: stopped.state.iteration,
                                           rowsDone: stopped.state.rowsDone, rows: m,
                                           checkpointDirectory: session?.directory.path ?? "", checkpointSaved: true)
            }
            let dataNorm = summary.squaredNorm.squareRoot()
            let result = FactorizationSummary(
                input: request.input, dataset: dataset, rows: m, columns: n,
                storedType: storedType, precision: T.precisionName, output: request.output,
                report: report, relativeError: RelativeError.of(report.reconstructionError, dataNorm: dataNorm, loss: configuration.loss),
                plan: plan, wStorage: inMemory ? "memory" : "scratch", threads: request.threads,
                memoryBudgetBytes: request.memory.bytes,
                readsInPlace: plan.mode == .streamed && streamed.readsInPlace, bytesRead: streamed.bytesRead,
                readSeconds: streamed.readSeconds, peakResidentBytes: ResourceUsage.peakResidentBytes,
                checkpoint: session?.report, componentsImage: request.componentsImage?.path)
            try FactorizationFile.write(w: w, h: h, configuration: configuration, summary: result, to: output.file)
            if let image, let shape = request.componentsImage?.shape {
                try image.write(try ComponentImages.grid(h, shape: shape, source: "\(request.output):/H").pngData)
            }
            try output.commit()
            try image?.commit()
            session?.finish()
            finished = true
            return result
        }
    }

    /// W₀ written into its scratch file as it is made: drawn (`random`) or copied from
    /// the user's file and checked (`custom`). The NNDSVD family builds W from an
    /// in-memory SVD, so it needs W in memory. Returns H₀.
    private static func initializeOutOfCore<T: NMFScalar & HDF5Scalar>(
        _ w: FactorRows<T>, method: InitializationMethod, configuration: NMFConfiguration,
        summary: DataSummary, request: FactorizationRequest, customH: Matrix<T>?, wBytes: Int
    ) throws -> Matrix<T> {
        let (m, n, k) = (summary.rows, summary.columns, configuration.components)
        let blockRows = 64 * TileSchedule.rowsPerTile
        switch method {
        case .random:
            return try Initialization.random(samples: m, features: n, components: k, mean: summary.mean,
                                             seed: configuration.seed, wBlockRows: blockRows) { first, rows in
                try w.write(rows, at: first)
            }
        case .custom:
            guard let reference = request.initialW else { throw NMFError.customInitMissing(factor: "W") }
            guard let customH else { throw NMFError.customInitMissing(factor: "H") }
            try InitialFactors.check(customH, named: "H", shape: (k, n))
            let source = try DenseRowBlockSource<T>(file: try HDF5File.openReadOnly(reference.file),
                                                    dataset: reference.dataset, blockRows: blockRows)
            try InitialFactors.checkShape(named: "W", actual: (source.rows, source.columns), expected: (m, k))
            var anyPositive = false
            var buffer = [T](repeating: 0, count: blockRows * k)
            for start in stride(from: 0, to: m, by: blockRows) {
                let count = min(blockRows, m - start)
                try source.readRows(start..<(start + count), into: &buffer)
                let rows = Matrix(rows: count, columns: k, elements: Array(buffer[0..<(count * k)]))
                if try InitialFactors.checkValues(rows, firstRow: start, named: "W") { anyPositive = true }
                try w.write(rows, at: start)
            }
            guard anyPositive else { throw NMFError.customInitAllZero(factor: "W") }
            return customH
        case .nndsvd, .nndsvda, .nndsvdar:
            // Refused before the scan, in `fit`.
            preconditionFailure("NNDSVD needs W in memory")
        }
    }

    /// A hidden file in the scratch directory, unique to this run and unlinked at once.
    private static func scratchFile<T: NMFScalar>(for request: FactorizationRequest, rows: Int, columns: Int) throws
        -> ScratchRowFile<T>
    {
        let output = request.output
        let name = output.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? output
        return try ScratchRowFile<T>.temporary(in: scratchDirectory(for: request), prefix: ".\(name).W-scratch-",
                                               rows: rows, columns: columns)
    }

    /// `--scratch-dir`, or the output's directory.
    static func scratchDirectory(for request: FactorizationRequest) -> String {
        if let directory = request.scratchDirectory {
            return directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        }
        return FileSystem.parentDirectory(of: request.output)
    }

    private static func readFactor<T: NMFScalar & HDF5Scalar>(_ reference: DatasetReference,
                                                              as _: T.Type) throws -> Matrix<T> {
        let file = try HDF5File.openReadOnly(reference.file)
        let (rows, columns, elements) = try file.readMatrix(dataset: reference.dataset, as: T.self)
        return Matrix(rows: rows, columns: columns, elements: elements)
    }
}
