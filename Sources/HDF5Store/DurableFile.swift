#if canImport(Glibc)
import Glibc
#endif

/// Small files replaced whole and durably: a reader sees the old content or the new,
/// never a mixture, even if the process or the machine stops half-way.
public enum DurableFile {
    /// Writes `bytes` to a temporary name beside `path`, flushes it to the device,
    /// renames it over `path` and flushes the directory entry. If that fails (a full disk),
    /// the temporary file is removed and `path` is as it was.
    /// `halfWritten` runs when half the bytes are written (a hook for crash tests).
    public static func replace(_ path: String, with bytes: [UInt8], halfWritten: () -> Void = {}) throws {
        let temporary = path + ".partial"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("create", temporary) }
        var closed = false, renamed = false
        defer {
            if !closed { close(descriptor) }
            if !renamed { unlink(temporary) }
        }
        let half = bytes.count / 2
        try bytes.withUnsafeBytes { buffer in
            try writeAll(descriptor, buffer[0..<half], path: temporary)
            halfWritten()
            try writeAll(descriptor, buffer[half...], path: temporary)
        }
        guard fsync(descriptor) == 0 else { throw failure("fsync", temporary) }
        closed = true
        guard close(descriptor) == 0 else { throw failure("close", temporary) }
        guard rename(temporary, path) == 0 else { throw failure("rename", temporary) }
        renamed = true
        try synchronizeDirectory(of: path)
    }

    /// The whole content of `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { throw HDF5StoreError.fileNotFound(path: path) }
            throw HDF5StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var content: [UInt8] = []
        var piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = piece.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw failure("read", path) }
            if count == 0 { return content }
            content.append(contentsOf: piece[0..<count])
        }
    }

    /// Flushes the directory holding `path`, so a rename in it survives a power cut.
    public static func synchronizeDirectory(of path: String) throws {
        let directory = path.lastIndex(of: "/").map { String(path[...$0]) } ?? "."
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", directory) }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: Slice<UnsafeRawBufferPointer>, path: String) throws {
        var done = 0
        let base = UnsafeRawBufferPointer(rebasing: bytes)
        while done < base.count {
            let count = write(descriptor, base.baseAddress! + done, base.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failure("write", path) }
            done += count
        }
    }

    private static func failure(_ operation: String, _ path: String) -> HDF5StoreError {
        .system(errno, action: operation == "read" ? "reading" : "writing", path: path)
    }
}

/// An exclusive advisory lock on a file, held while this object lives: two runs
/// sharing one checkpoint directory would overwrite each other's state.
public final class FileLock: @unchecked Sendable {
    private let descriptor: Int32

    /// nil when another process holds the lock.
    public init?(path: String) throws {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HDF5StoreError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}

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
            if errno == ENOENT { throw HDF5StoreError.fileNotFound(path: path) }
            throw HDF5StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        size = Int(status.st_size)
        modificationNanoseconds = Int(status.st_mtim.tv_sec) * 1_000_000_000 + Int(status.st_mtim.tv_nsec)
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
