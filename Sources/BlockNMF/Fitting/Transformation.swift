import FileStorage
import HDF5Store
import NMFKernels

/// `blocknmf transform` as a library call: W for the rows of a dataset with a fitted
/// model's H held fixed (scikit-learn's `transform`), read the way `factor` reads V —
/// in memory or streamed under the budget — and written to a new HDF5 file.
public struct TransformRequest: Sendable {
    public var input: String
    /// nil: the file's only 2-D numeric dataset.
    public var dataset: String?
    /// A result file of `factor` (`ModelFile`).
    public var model: String
    public var output: String
    public var precision: Precision
    /// Workers computing on tiles of the data (results do not depend on it).
    public var threads: Int
    /// Memory for the data's buffers (W and H come on top).
    public var memory: MemoryBudget
    /// Rows per read, instead of the budget's choice; forces streaming.
    public var blockRows: Int?

    public init(input: String, dataset: String? = nil, model: String, output: String, precision: Precision = .auto,
                threads: Int = WorkerThreads.default, memory: MemoryBudget = .default, blockRows: Int? = nil) {
        self.input = input
        self.dataset = dataset
        self.model = model
        self.output = output
        self.precision = precision
        self.threads = threads
        self.memory = memory
        self.blockRows = blockRows
    }
}

/// What a finished transform reports.
public struct TransformSummary: Sendable, Codable {
    public var input: String
    public var dataset: String
    public var rows: Int
    public var columns: Int
    public var storedType: String
    public var precision: String
    public var model: String
    /// The model's parameters the solve used (k, solver, tolerance, iteration limit, W's regularization).
    public var configuration: NMFConfiguration
    public var output: String
    public var report: FitReport
    /// ‖V − W·H‖_F / ‖V‖_F; for a β-divergence other than Frobenius, nil (its error is
    /// `report.reconstructionError`, √(2·D)).
    public var relativeError: Double?
    public var plan: StreamPlan
    public var threads: Int
    public var memoryBudgetBytes: Int
    /// Bytes of the data delivered by the reader in the working precision, all passes together.
    public var bytesRead: Int
    public var readSeconds: Double
    /// Peak resident memory of the process (getrusage), in bytes.
    public var peakResidentBytes: Int
}

/// `blocknmf inverse-transform` as a library call: X = W·H for a W (m×k) and a model's
/// H (k×n), computed and written a block of rows at a time.
public struct InverseTransformRequest: Sendable {
    public var input: String
    /// The dataset holding W; nil: `/W`, where `transform` and `factor` put it.
    public var dataset: String?
    public var model: String
    public var output: String
    public var precision: Precision
    /// Memory for a block of W's rows and the block of X they make.
    public var memory: MemoryBudget

    public init(input: String, dataset: String? = nil, model: String, output: String, precision: Precision = .auto,
                memory: MemoryBudget = .default) {
        self.input = input
        self.dataset = dataset
        self.model = model
        self.output = output
        self.precision = precision
        self.memory = memory
    }
}

/// What a finished inverse transform reports.
public struct InverseTransformSummary: Sendable, Codable {
    public var input: String
    public var dataset: String
    /// m, k and n.
    public var rows: Int
    public var components: Int
    public var columns: Int
    public var precision: String
    public var model: String
    public var output: String
    /// Rows of W read, multiplied and written at a time.
    public var blockRows: Int
    public var elapsedSeconds: Double
    public var peakResidentBytes: Int
}

public enum Transformation {
    /// W for the input's rows, H fixed; writes /W, /loss_history and the attributes
    /// (`TransformFile`). Nothing is written unless it succeeds.
    public static func run(_ request: TransformRequest,
                           onProgress: ((FactorizationProgress) -> Void)? = nil) throws -> TransformSummary {
        try request.validate()
        let model = try ModelFile(path: request.model)
        let input = try MatrixInput(path: request.input, dataset: request.dataset)
        try checkOutput(request.output, input: request.input, model: request.model)
        let h = model.components
        guard input.columns == h.columns else {
            throw ModelError.featureMismatch(data: input.description, columns: input.columns, model: request.model,
                                             components: h.rows, features: h.columns)
        }
        let output = try PendingOutput(path: request.output)
        defer { output.discard() }
        return try input.read(precision: request.precision, memory: request.memory, blockRows: request.blockRows,
                              rowOrder: RowOrderSettings(directory: FileSystem.parentDirectory(of: request.output)),
                              Run(request: request, input: input, model: model, output: output, onProgress: onProgress))
    }

    private struct Run: MatrixReading {
        typealias Output = TransformSummary
        let request: TransformRequest
        let input: MatrixInput
        let model: ModelFile
        let output: PendingOutput
        let onProgress: ((FactorizationProgress) -> Void)?

        func read<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(_ data: Data, reader: Reader,
                                          plan: StreamPlan) throws -> TransformSummary
            where Data.Element: HDF5Scalar
        {
            let clock = Stopwatch()
            let summary = try DataSummary.scan(data, threads: request.threads)
            let (w, report) = try NMF<Data.Element>(model.configuration, threads: request.threads).transform(
                data, components: model.components.converted(to: Data.Element.self), summary: summary, clock: clock,
                onIteration: FactorizationProgress.reporting(to: onProgress, from: reader))
            let dataNorm = summary.squaredNorm.squareRoot()
            let result = TransformSummary(
                input: request.input, dataset: input.dataset, rows: input.rows, columns: input.columns,
                storedType: input.storedType.name, precision: Data.Element.precisionName, model: request.model,
                configuration: model.configuration, output: request.output, report: report,
                relativeError: RelativeError.of(report.reconstructionError, dataNorm: dataNorm, loss: model.configuration.loss), plan: plan,
                threads: request.threads, memoryBudgetBytes: request.memory.bytes, bytesRead: reader.bytesRead,
                readSeconds: reader.readSeconds, peakResidentBytes: ResourceUsage.peakResidentBytes)
            try TransformFile.write(w: FactorRows(w), summary: result, to: output.file)
            try output.commit()
            return result
        }
    }

    /// X = W·H, a block of rows at a time: W's rows are read, multiplied by H and written
    /// in turn on this thread (HDF5 is called from one thread at a time), so memory is one
    /// block of W and one of X whatever m.
    public static func inverse(_ request: InverseTransformRequest) throws -> InverseTransformSummary {
        let clock = Stopwatch()
        let h = try ModelFile.components(at: request.model)
        let input = try MatrixInput(path: request.input, dataset: request.dataset ?? "/W")
        try checkOutput(request.output, input: request.input, model: request.model)
        guard input.columns == h.rows else {
            throw ModelError.componentMismatch(data: input.description, columns: input.columns, model: request.model,
                                               components: h.rows, features: h.columns)
        }
        let output = try PendingOutput(path: request.output)
        defer { output.discard() }
        // The products run on this thread; OpenBLAS's own threads would make them depend
        // on the machine.
        BLASThreads.set(1)
        let precision = input.computesInFloat32(request.precision) ? Float.precisionName : Double.precisionName
        let blockRows = input.computesInFloat32(request.precision)
            ? try multiply(input, by: h.converted(to: Float.self), memory: request.memory, into: output.file)
            : try multiply(input, by: h, memory: request.memory, into: output.file)
        try TransformFile.writeInverseAttributes(input: input, model: request.model, precision: precision,
                                                 to: output.file)
        try output.commit()
        return InverseTransformSummary(
            input: request.input, dataset: input.dataset, rows: input.rows, components: h.rows, columns: h.columns,
            precision: precision, model: request.model, output: request.output, blockRows: blockRows,
            elapsedSeconds: clock.elapsedSeconds, peakResidentBytes: ResourceUsage.peakResidentBytes)
    }

    /// Writes /X = W·H; returns the rows per block.
    private static func multiply<T: NMFScalar & HDF5Scalar>(
        _ input: MatrixInput, by h: Matrix<T>, memory: MemoryBudget, into file: HDF5File
    ) throws -> Int {
        let (m, k, n) = (input.rows, h.rows, h.columns)
        let rowBytes = (k + n) * MemoryLayout<T>.stride
        let blockRows = max(1, min(m, memory.bytes / rowBytes))
        let source = try DenseRowBlockSource<T>(file: input.file, dataset: input.dataset, blockRows: blockRows)
        let writer = try RowBlockWriter<T>(file: file, dataset: "/X", rows: m, columns: n)
        var buffer = [T](repeating: 0, count: blockRows * k)
        for start in stride(from: 0, to: m, by: blockRows) {
            let count = min(blockRows, m - start)
            try source.readRows(start..<(start + count), into: &buffer)
            let w = Matrix(rows: count, columns: k, elements: Array(buffer[0..<(count * k)]))
            try writer.write(rows: start..<(start + count), elements: Matrix.product(w, h).elements)
        }
        try writer.close()
        return blockRows
    }

    /// The output must replace neither the data nor the model.
    private static func checkOutput(_ output: String, input: String, model: String) throws {
        if isSameFile(input, output) { throw FactorizationError.outputIsInput(path: output) }
        if isSameFile(model, output) { throw FactorizationError.outputIsModel(path: output) }
    }
}
