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

    private static func failure(_ operation: String, _ path: String) -> FileStorageError {
        .system(errno, action: operation == "read" ? "reading" : "writing", path: path)
    }
}
