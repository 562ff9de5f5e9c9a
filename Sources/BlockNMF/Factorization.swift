import HDF5Store
import NMFKernels

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

    public init(input: String, dataset: String? = nil, output: String, configuration: NMFConfiguration,
                precision: Precision = .auto, initialW: DatasetReference? = nil,
                initialH: DatasetReference? = nil) {
        self.input = input
        self.dataset = dataset
        self.output = output
        self.configuration = configuration
        self.precision = precision
        self.initialW = initialW
        self.initialH = initialH
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

public enum Factorization {
    public static func run(_ request: FactorizationRequest,
                           onIteration: ((IterationProgress) -> Void)? = nil) throws -> FactorizationSummary {
        try request.configuration.validate()
        let file = try HDF5File.openReadOnly(request.input)
        if isSameFile(request.input, request.output) {
            throw FactorizationError.outputIsInput(path: request.output)
        }
        let probe = try DenseRowBlockSource<Double>(file: file, dataset: request.dataset)
        let useFloat32: Bool
        switch request.precision {
        case .float32: useFloat32 = true
        case .float64: useFloat32 = false
        case .auto: useFloat32 = probe.storedType == Float.elementType
        }
        return useFloat32
            ? try run(request, file: file, dataset: probe.datasetPath, as: Float.self, onIteration: onIteration)
            : try run(request, file: file, dataset: probe.datasetPath, as: Double.self, onIteration: onIteration)
    }

    private static func run<T: NMFScalar & HDF5Scalar>(
        _ request: FactorizationRequest, file: HDF5File, dataset: String, as _: T.Type,
        onIteration: ((IterationProgress) -> Void)?
    ) throws -> FactorizationSummary {
        let source = try DenseRowBlockSource<T>(file: file, dataset: dataset)
        let customW = try request.initialW.map { try readFactor($0, as: T.self) }
        let customH = try request.initialH.map { try readFactor($0, as: T.self) }
        var configuration = request.configuration
        if configuration.initialization == nil, customW != nil || customH != nil {
            configuration.initialization = .custom
        }

        // Created before the fit so an unwritable destination fails before the work.
        let output = try PendingOutput(path: request.output)
        defer { output.discard() }

        // The whole matrix as one block, read through the streaming reader.
        var elements = [T](repeating: 0, count: source.rows * source.columns)
        try source.readRows(0..<source.rows, into: &elements)
        let data = InMemoryRowBlocks(Matrix(rows: source.rows, columns: source.columns, elements: elements),
                                     sourceDescription: "\(request.input):\(dataset)")
        let fit = try NMF<T>(configuration).fit(data, initialW: customW, initialH: customH,
                                                 onIteration: onIteration)
        let dataNorm = data.matrix.squaredFrobeniusNorm.squareRoot()
        let summary = FactorizationSummary(
            input: request.input, dataset: dataset, rows: source.rows, columns: source.columns,
            storedType: source.storedType.name, precision: T.precisionName, output: request.output,
            report: fit.report,
            relativeError: dataNorm > 0 ? fit.report.reconstructionError / dataNorm : 0)
        try FactorizationFile.write(fit, summary: summary, to: output.file)
        try output.commit()
        return summary
    }

    private static func readFactor<T: NMFScalar & HDF5Scalar>(_ reference: DatasetReference,
                                                              as _: T.Type) throws -> Matrix<T> {
        let file = try HDF5File.openReadOnly(reference.file)
        let (rows, columns, elements) = try file.readMatrix(dataset: reference.dataset, as: T.self)
        return Matrix(rows: rows, columns: columns, elements: elements)
    }
}
