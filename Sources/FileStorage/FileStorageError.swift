/// What can go wrong with files and directories as the file system sees them, before any
/// format is involved.
///
/// Each description is one line that names the file, so it can be shown to a user as is.
public enum FileStorageError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(path: String)
    case cannotOpen(path: String, reason: String)
    case cannotCreate(path: String, reason: String)
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
        case let .systemCallFailed(operation, reason):
            return "\(operation) failed: \(reason)"
        }
    }
}
