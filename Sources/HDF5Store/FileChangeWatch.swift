#if canImport(Glibc)
import Glibc
#endif

/// A file's size and modification time when it was opened, compared with what the open
/// file (not the name: a file renamed over it is a different file, and harmless) says later.
///
/// A reader of a file that another program truncates gets no error from HDF5, which reads
/// beyond the end as zeros; the change shows here.
final class FileChangeWatch: @unchecked Sendable {
    let path: String
    private let descriptor: Int32
    private let size: Int
    private let modification: timespec

    init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            throw code == ENOENT ? HDF5StoreError.fileNotFound(path: path)
                : HDF5StoreError.cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw HDF5StoreError.cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        self.path = path
        self.descriptor = descriptor
        size = Int(status.st_size)
        modification = status.st_mtim
    }

    deinit { close(descriptor) }

    /// Throws `changedDuringRun` when the size or the modification time differ from the opening's.
    func check() throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw HDF5StoreError.system(errno, action: "reading", path: path)
        }
        let now = Int(status.st_size)
        if now < size {
            throw HDF5StoreError.changedDuringRun(path: path, detail: "truncated from \(size) to \(now) bytes")
        }
        if now != size {
            throw HDF5StoreError.changedDuringRun(path: path, detail: "its size went from \(size) to \(now) bytes")
        }
        if status.st_mtim.tv_sec != modification.tv_sec || status.st_mtim.tv_nsec != modification.tv_nsec {
            throw HDF5StoreError.changedDuringRun(path: path, detail: "modified since the run opened it")
        }
    }
}
