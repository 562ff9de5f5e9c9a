import ComponentPictures
import FileStorage
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
                FitSession(request: request, input: input, output: output, image: image, onProgress: onProgress,
                           onCheckpoint: onCheckpoint))
        } catch let stopped as LoopStopped {
            // Asked to stop while V was put in row order: before the first checkpoint.
            throw FactorizationStopped(reason: stopped.reason, iteration: 0, rowsDone: 0, rows: input.rows,
                                       checkpointDirectory: request.checkpoint?.directory ?? "", checkpointSaved: false)
        }
    }

    /// `--scratch-dir`, or the output's directory.
    static func scratchDirectory(for request: FactorizationRequest) -> String {
        if let directory = request.scratchDirectory {
            return directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        }
        return FileSystem.parentDirectory(of: request.output)
    }
}
