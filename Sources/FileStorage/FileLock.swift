#if canImport(Glibc)
import Glibc
#endif

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
