#if canImport(Glibc)
import Glibc
#endif

/// Small files replaced whole and durably: a reader sees the old content or the new,
/// never a mixture, even if the process or the machine stops half-way.
public enum DurableFile {
    /// Writes `bytes` to a new file under an unpredictable name in `directory`, flushes it
    /// to the device, renames it over `name` and flushes the directory entry.
    /// `halfWritten` runs when half the bytes are written (a hook for crash tests).
    public static func replace(_ name: String, in directory: OpenDirectory, with bytes: [UInt8],
                               halfWritten: () -> Void = {}) throws {
        let (temporary, descriptor) = try directory.createUniqueFile(prefix: name + temporarySuffix)
        let temporaryPath = directory.member(temporary)
        var closed = false
        defer { if !closed { close(descriptor) } }
        do {
            let half = bytes.count / 2
            try bytes.withUnsafeBytes { buffer in
                try writeAll(descriptor, buffer[0..<half], path: temporaryPath)
                halfWritten()
                try writeAll(descriptor, buffer[half...], path: temporaryPath)
            }
            guard fsync(descriptor) == 0 else { throw failure("fsync", temporaryPath) }
            closed = true
            guard close(descriptor) == 0 else { throw failure("close", temporaryPath) }
            try directory.rename(temporary, to: directory, as: name)
        } catch {
            directory.remove(temporary)
            throw error
        }
        try directory.synchronize()
    }

    /// What follows a file's name in the name of its replacement under construction; such
    /// files are left only by a run that stopped half-way.
    public static let temporarySuffix = ".partial-"

    /// The whole content of `name` in `directory`, which must be trusted (see
    /// `OpenDirectory.openTrusted`).
    public static func read(_ name: String, in directory: OpenDirectory) throws -> [UInt8] {
        let path = directory.member(name)
        let descriptor = try directory.openTrusted(name, flags: O_RDONLY)
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

    /// The lock on `name` in `directory`, created new or, when it exists, opened only if it
    /// is trusted (see `OpenDirectory.openTrusted`); nil when another process holds it.
    public init?(name: String, in directory: OpenDirectory) throws {
        let descriptor = try directory.createFileIfAbsent(name) ?? directory.openTrusted(name, flags: O_RDWR)
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
