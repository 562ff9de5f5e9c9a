#if canImport(Glibc)
import Glibc
#endif

/// What can go wrong with files and directories as the file system sees them, before any
/// format is involved.
///
/// Each description is one line that names the file, so it can be shown to a user as is.
public enum FileStorageError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case cannotOpen(path: String, reason: String)
    case cannotCreate(path: String, reason: String)
    /// The file system holding `path` is full (or the user's quota is used up).
    case noSpace(path: String)
    /// The operating system failed a read or write of `path` (`action`: "reading", "writing"):
    /// a device error, a read-only file system, a file too large, a file shorter than it must be.
    case inputOutput(path: String, action: String, reason: String)
    /// Rows asked of a row file that does not have them: a bug.
    case rowsOutOfBounds(path: String, range: Range<Int>, rows: Int)
    /// A system call failed for a reason not recognized above: a bug.
    case systemCallFailed(operation: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "file \(path) does not exist"
        case let .cannotOpen(path, reason):
            return "cannot open \(path): \(reason)"
        case let .cannotCreate(path, reason):
            return "cannot create \(path): \(reason)"
        case let .noSpace(path):
            return "no space left on device writing \(path)"
        case let .inputOutput(path, action, reason):
            return "input/output error \(action) \(path): \(reason)"
        case let .rowsOutOfBounds(path, range, rows):
            return "\(path): rows \(range.lowerBound)..<\(range.upperBound) are outside 0..<\(rows)"
        case let .systemCallFailed(operation, reason):
            return "\(operation) failed: \(reason)"
        }
    }

    /// The error for a failed read or write (`errno`'s `code`) of `path`.
    public static func system(_ code: Int32, action: String, path: String) -> FileStorageError {
        let reason = String(cString: strerror(code))
        switch code {
        case ENOSPC, EDQUOT: return .noSpace(path: path)
        case EBADF, EINVAL, EFAULT: return .systemCallFailed(operation: "\(action) \(path)", reason: reason)
        default: return .inputOutput(path: path, action: action, reason: reason)
        }
    }
}
