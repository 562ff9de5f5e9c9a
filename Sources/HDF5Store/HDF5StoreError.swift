import FileStorage
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong in the storage layer.
///
/// Each description is one line that names the file and, where there is one, the dataset
/// or object, so it can be shown to a user as is.
public enum HDF5StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case cannotOpen(path: String, reason: String)
    case notHDF5(path: String)
    case cannotCreate(path: String, reason: String)
    case fileClosed(path: String)
    /// `available` lists the matrices in the file: 2-D numeric datasets and sparse groups.
    case datasetNotFound(path: String, dataset: String, available: [String])
    /// No dataset was named and the file does not hold exactly one matrix (2-D numeric
    /// dataset or sparse group; an AnnData file's `X` is its matrix).
    case ambiguousDataset(path: String, available: [String])
    case objectNotFound(path: String, object: String)
    case notTwoDimensional(path: String, dataset: String, rank: Int)
    case nonNumericType(path: String, dataset: String, typeDescription: String)
    case shapeMismatch(path: String, dataset: String, shape: [Int], elementCount: Int)
    case invalidShape(path: String, dataset: String, shape: [Int])
    /// Elements of the dataset have no storage in the file, so HDF5 would read them as its
    /// fill value: chunks never written (`storedChunks` of `chunks`), or contiguous storage
    /// never allocated (both nil).
    case notWritten(path: String, dataset: String, shape: [Int], storedChunks: Int?, chunks: Int?)
    case rowRangeOutOfBounds(path: String, dataset: String, range: Range<Int>, rows: Int)
    case bufferTooSmall(path: String, dataset: String, needed: Int, available: Int)
    case attributeNotFound(path: String, object: String, name: String)
    /// A sparse group whose datasets or attributes do not describe one matrix.
    case invalidSparseGroup(path: String, group: String, reason: String)
    case unsupportedAttributeType(path: String, object: String, name: String, typeDescription: String)
    /// The dataset's filter pipeline holds a filter HDF5 cannot load: its chunks cannot be read.
    case filterUnavailable(path: String, dataset: String, filter: DatasetFilter)
    /// The file system holding `path` is full (or the user's quota is used up).
    case noSpace(path: String)
    /// The operating system failed a read or write of `path` (`action`: "reading", "writing"):
    /// a device error, a read-only file system, a file too large.
    case inputOutput(path: String, action: String, reason: String)
    /// Another program holds the file open for writing (HDF5's lock on it is taken), or its
    /// superblock says a writer opened it and never closed it.
    case openForWriting(path: String)
    /// The file is shorter than its superblock says (an interrupted copy or download); sizes
    /// in bytes, when HDF5 reported them.
    case truncated(path: String, size: Int?, expectedSize: Int?)
    /// HDF5 found the file's structure damaged (a bad signature, checksum or version);
    /// `detail` is HDF5's deepest message.
    case damaged(path: String, detail: String)
    /// The file changed while a run was reading it (another program truncated or rewrote it).
    case changedDuringRun(path: String, detail: String)
    /// A call into the HDF5 library (or the system) failed for a reason not recognized
    /// above: a bug. `stack` is HDF5's whole error stack on one line, kept for debugging;
    /// the description shows only its deepest cause.
    case library(operation: String, stack: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return FileStorageError.fileNotFound(path: path).description
        case let .cannotOpen(path, reason):
            return FileStorageError.cannotOpen(path: path, reason: reason).description
        case let .notHDF5(path):
            return "\(path) is not an HDF5 file"
        case let .cannotCreate(path, reason):
            return FileStorageError.cannotCreate(path: path, reason: reason).description
        case let .fileClosed(path):
            return "\(path) has already been closed"
        case let .datasetNotFound(path, dataset, available):
            return "dataset '\(dataset)' not found in \(path); \(Self.listing(available))"
        case let .ambiguousDataset(path, available):
            let reason = available.isEmpty ? "it holds none" : "it holds \(available.count)"
            return "no --dataset named and \(path) does not hold exactly one matrix (\(reason)); "
                + Self.listing(available)
        case let .objectNotFound(path, object):
            return "object '\(object)' not found in \(path)"
        case let .notTwoDimensional(path, dataset, rank):
            return "dataset '\(dataset)' in \(path) has rank \(rank); a 2-D matrix is needed"
        case let .nonNumericType(path, dataset, typeDescription):
            return "dataset '\(dataset)' in \(path) holds \(typeDescription) elements; "
                + "an integer or floating-point type is needed"
        case let .shapeMismatch(path, dataset, shape, elementCount):
            let needed = shape.reduce(1, *)
            return "dataset '\(dataset)' in \(path): shape \(shape) needs \(needed) elements, got \(elementCount)"
        case let .invalidShape(path, dataset, shape):
            return "dataset '\(dataset)' in \(path): shape \(shape) must have at least one dimension "
                + "and no negative extent"
        case let .notWritten(path, dataset, shape, storedChunks, chunks):
            let shape = shape.map(String.init).joined(separator: "×")
            guard let storedChunks, let chunks else {
                return "dataset '\(dataset)' in \(path) (\(shape)) was never written: it has no storage in the file, "
                    + "and HDF5 would read its fill value"
            }
            return "dataset '\(dataset)' in \(path) (\(shape)) was never completely written: \(storedChunks) of its "
                + "\(chunks) chunks hold data, and HDF5 would read the others as its fill value"
        case let .rowRangeOutOfBounds(path, dataset, range, rows):
            return "dataset '\(dataset)' in \(path): rows \(range.lowerBound)..<\(range.upperBound) "
                + "are outside 0..<\(rows)"
        case let .bufferTooSmall(path, dataset, needed, available):
            return "dataset '\(dataset)' in \(path): reading needs a buffer of \(needed) elements, "
                + "the buffer holds \(available)"
        case let .invalidSparseGroup(path, group, reason):
            return "\(path):\(group) is not a sparse matrix BlockNMF can read: \(reason)"
        case let .attributeNotFound(path, object, name):
            return "attribute '\(name)' not found on '\(object)' in \(path)"
        case let .unsupportedAttributeType(path, object, name, typeDescription):
            return "attribute '\(name)' on '\(object)' in \(path) holds \(typeDescription); "
                + "a scalar string, integer or floating-point value is needed"
        case let .filterUnavailable(path, dataset, filter):
            return "\(path):\(dataset) is stored with \(filter.phrase), which HDF5 cannot load: \(filter.remedy)"
        case let .noSpace(path):
            return FileStorageError.noSpace(path: path).description
        case let .inputOutput(path, action, reason):
            return FileStorageError.inputOutput(path: path, action: action, reason: reason).description
        case let .openForWriting(path):
            return "\(path) is open for writing by another program (or was not closed by it: h5clear -s \(path))"
        case let .truncated(path, size, expectedSize):
            let sizes = size.flatMap { size in expectedSize.map { "it holds \(size) bytes of the \($0) its superblock records" } }
            return "\(path) is truncated (\(sizes ?? "shorter than its superblock records")): an interrupted copy or download?"
        case let .damaged(path, detail):
            return "\(path) is damaged: HDF5 reports \(detail)"
        case let .changedDuringRun(path, detail):
            return "\(path) changed while it was being read (\(detail)): another program wrote to it"
        case let .library(operation, stack):
            return "\(stack.hasPrefix("#0 ") ? "HDF5 call " : "")\(operation) failed: \(Self.deepestCause(of: stack))"
        }
    }

    /// The error for a failed system call on `path` (`action`: "reading", "writing").
    public static func system(_ code: Int32, action: String, path: String) -> HDF5StoreError {
        switch FileStorageError.system(code, action: action, path: path) {
        case .noSpace: .noSpace(path: path)
        case .inputOutput(_, _, let reason): .inputOutput(path: path, action: action, reason: reason)
        default: .library(operation: "\(action) \(path)", stack: String(cString: strerror(code)))
        }
    }

    /// The last frame of a one-line HDF5 stack, without its number (the whole text otherwise).
    static func deepestCause(of stack: String) -> String {
        guard stack.hasPrefix("#0 "), let last = stack.split(separator: "; #").last else { return stack }
        return String(last.drop { $0 != " " }.dropFirst())
    }

    private static func listing(_ matrices: [String]) -> String {
        matrices.isEmpty
            ? "no matrices (2-D numeric datasets or sparse groups) present"
            : "matrices present: " + matrices.joined(separator: ", ")
    }
}
