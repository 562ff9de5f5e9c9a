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

    public init(input: String, dataset: String? = nil, output: String, configuration: NMFConfiguration,
                precision: Precision = .auto, initialW: DatasetReference? = nil,
                initialH: DatasetReference? = nil, threads: Int = Factorization.defaultThreads,
                memory: MemoryBudget = .default, blockRows: Int? = nil) {
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
    }
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
    /// ‖V − W·H‖_F / ‖V‖_F.
    public var relativeError: Double
    public var plan: StreamPlan
    public var threads: Int
    public var memoryBudgetBytes: Int
    /// Bytes of V read from the file, all passes together.
    public var bytesRead: Int
    /// Seconds the reader spent in HDF5 (read, decompression, conversion).
    public var readSeconds: Double
    /// Peak resident memory of the process (getrusage), in bytes.
    public var peakResidentBytes: Int
}

/// The request could not be carried out as asked, for a reason outside the data.
public enum FactorizationError: Error, Equatable, CustomStringConvertible {
    case outputIsInput(path: String)

    public var description: String {
        switch self {
        case .outputIsInput(let path): "output \(path) is the input file; choose another output path"
        }
    }
}

/// Progress of a running factorization.
public struct FactorizationProgress: Sendable {
    public let iteration: IterationProgress
    /// Bytes of V read so far and the seconds the reader spent on them.
    public let bytesRead: Int
    public let readSeconds: Double
}

public enum Factorization {
    /// One worker per core.
    public static var defaultThreads: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// The plan `factor` makes for a dataset under a budget (for `blocknmf info`).
    public static func plan<T: NMFScalar & HDF5Scalar>(
        for source: DenseRowBlockSource<T>, memory: MemoryBudget, blockRows: Int? = nil,
        description: String
    ) throws -> StreamPlan {
        try StreamPlan.make(
            rows: source.rows, columns: source.columns, elementBytes: MemoryLayout<T>.stride,
            storedBytes: max(1, source.storedType.bits / 8), chunkRows: source.chunkRows,
            budget: memory, blockRowsOverride: blockRows, source: description)
    }

    public static func run(_ request: FactorizationRequest,
                           onProgress: ((FactorizationProgress) -> Void)? = nil) throws -> FactorizationSummary {
        try request.configuration.validate()
        guard request.threads >= 1 else {
            throw NMFError.invalidParameter(name: "threads", value: "\(request.threads)", requirement: "must be at least 1")
        }
        let file = try HDF5File.openReadOnly(request.input)
        if isSameFile(request.input, request.output) {
            throw FactorizationError.outputIsInput(path: request.output)
        }
        // The probe closes before the reader opens the dataset: HDF5 applies a chunk
        // cache only to the first open of a dataset.
        let (dataset, storedType) = try {
            let probe = try DenseRowBlockSource<Double>(file: file, dataset: request.dataset, blockRows: 1)
            return (probe.datasetPath, probe.storedType)
        }()
        let useFloat32: Bool
        switch request.precision {
        case .float32: useFloat32 = true
        case .float64: useFloat32 = false
        case .auto: useFloat32 = storedType == Float.elementType
        }
        return useFloat32
            ? try run(request, file: file, dataset: dataset, as: Float.self, onProgress: onProgress)
            : try run(request, file: file, dataset: dataset, as: Double.self, onProgress: onProgress)
    }

    private static func run<T: NMFScalar & HDF5Scalar>(
        _ request: FactorizationRequest, file: HDF5File, dataset: String, as _: T.Type,
        onProgress: ((FactorizationProgress) -> Void)?
    ) throws -> FactorizationSummary {
        let description = "\(request.input):\(dataset)"
        let source = try DenseRowBlockSource<T>(file: file, dataset: dataset, blockRows: 1)
        let plan = try plan(for: source, memory: request.memory, blockRows: request.blockRows,
                            description: description)
        let customW = try request.initialW.map { try readFactor($0, as: T.self) }
        let customH = try request.initialH.map { try readFactor($0, as: T.self) }
        var configuration = request.configuration
        if configuration.initialization == nil, customW != nil || customH != nil {
            configuration.initialization = .custom
        }

        // Created before the fit so an unwritable destination fails before the work.
        let output = try PendingOutput(path: request.output)
        defer { output.discard() }

        let streamed = try HDF5RowBlocks(source: source, blockRows: plan.blockRows, sourceDescription: description)
        let nmf = NMF<T>(configuration, threads: request.threads)
        let fit: FittedNMF<T>
        let summary: DataSummary
        switch plan.mode {
        case .resident:
            let data = InMemoryRowBlocks(try streamed.readAll(), sourceDescription: description)
            summary = try DataSummary.scan(data, threads: request.threads)
            fit = try nmf.fit(data, initialW: customW, initialH: customH, summary: summary,
                              onIteration: progress(onProgress, streamed))
        case .streamed:
            summary = try DataSummary.scan(streamed, threads: request.threads)
            fit = try nmf.fit(streamed, initialW: customW, initialH: customH, summary: summary,
                              onIteration: progress(onProgress, streamed))
        }
        let dataNorm = summary.squaredNorm.squareRoot()
        let result = FactorizationSummary(
            input: request.input, dataset: dataset, rows: source.rows, columns: source.columns,
            storedType: source.storedType.name, precision: T.precisionName, output: request.output,
            report: fit.report,
            relativeError: dataNorm > 0 ? fit.report.reconstructionError / dataNorm : 0,
            plan: plan, threads: request.threads, memoryBudgetBytes: request.memory.bytes,
            bytesRead: streamed.bytesRead, readSeconds: streamed.readSeconds,
            peakResidentBytes: ResourceUsage.peakResidentBytes)
        try FactorizationFile.write(fit, summary: result, to: output.file)
        try output.commit()
        return result
    }

    private static func progress<T>(_ onProgress: ((FactorizationProgress) -> Void)?,
                                    _ reader: HDF5RowBlocks<T>) -> ((IterationProgress) -> Void)? {
        guard let onProgress else { return nil }
        return { iteration in
            onProgress(FactorizationProgress(iteration: iteration, bytesRead: reader.bytesRead,
                                             readSeconds: reader.readSeconds))
        }
    }

    private static func readFactor<T: NMFScalar & HDF5Scalar>(_ reference: DatasetReference,
                                                              as _: T.Type) throws -> Matrix<T> {
        let file = try HDF5File.openReadOnly(reference.file)
        let (rows, columns, elements) = try file.readMatrix(dataset: reference.dataset, as: T.self)
        return Matrix(rows: rows, columns: columns, elements: elements)
    }
}
