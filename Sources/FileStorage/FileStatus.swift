#if canImport(Glibc)
import Glibc
#endif

/// What the file system says about a file: enough to notice that it was replaced or changed.
public struct FileStatus: Sendable, Equatable {
    public let size: Int
    /// Modification time, in nanoseconds since the epoch.
    public let modificationNanoseconds: Int
    public let device: UInt64
    public let inode: UInt64

    public init(path: String) throws {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw FileStorageError.fileNotFound(path: path) }
            throw FileStorageError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        size = Int(status.st_size)
        modificationNanoseconds = Int(status.st_mtim.tv_sec) * 1_000_000_000 + Int(status.st_mtim.tv_nsec)
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
