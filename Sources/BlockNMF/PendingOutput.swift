import Foundation
import HDF5Store
#if canImport(Glibc)
import Glibc
#endif

/// An output file that appears under its final name only when complete.
///
/// It is created at once under a hidden temporary name in the destination
/// directory, so an unwritable destination fails before any work is done;
/// `commit` renames it into place (atomic within a directory), and anything
/// else — an error, SIGINT or SIGTERM (see `TemporaryFiles`) — leaves the
/// destination untouched and no temporary file behind.
final class PendingOutput {
    let file: HDF5File
    private let name: TemporaryName
    private var finished = false

    var finalPath: String { name.finalPath }
    var temporaryPath: String { name.temporaryPath }

    init(path: String) throws {
        name = TemporaryName(for: path)
        TemporaryFiles.register(name.temporaryPath)
        do {
            file = try HDF5File.create(name.temporaryPath)
        } catch {
            TemporaryFiles.unregister(name.temporaryPath)
            throw error
        }
    }

    func commit() throws {
        try file.close()
        try name.commit(or: discard)
        finished = true
    }

    func discard() {
        guard !finished else { return }
        try? file.close()
        name.remove()
        finished = true
    }

    deinit { discard() }
}

/// The hidden name a file is written under beside its destination, `.NAME.partial-PID`,
/// and the step that puts it in place.
struct TemporaryName {
    let finalPath: String
    let temporaryPath: String

    init(for path: String) {
        finalPath = path
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = "\(directory).\(name).partial-\(getpid())"
        Self.removeAbandoned(directory: directory, name: name)
    }

    /// Moves the closed file into place and forgets its temporary name; if that fails,
    /// `failed` cleans up before the error goes on.
    func commit(or failed: () -> Void) throws {
        do {
            try moveIntoPlace()
        } catch {
            failed()
            throw error
        }
        TemporaryFiles.unregister(temporaryPath)
    }

    /// Deletes the file under its temporary name.
    func remove() {
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
    }

    /// fsync, so the final name never points at data still only in the page cache, then
    /// rename (atomic within a directory).
    private func moveIntoPlace() throws {
        let descriptor = open(temporaryPath, O_RDONLY)
        guard descriptor >= 0, fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw HDF5StoreError.cannotCreate(path: finalPath, reason: reason)
        }
        close(descriptor)
        guard rename(temporaryPath, finalPath) == 0 else {
            throw HDF5StoreError.cannotCreate(path: finalPath, reason: String(cString: strerror(errno)))
        }
    }

    /// Removes temporary files of this output left by runs that were killed (SIGKILL
    /// leaves no chance to clean up): those whose process no longer exists.
    private static func removeAbandoned(directory: String, name: String) {
        let prefix = ".\(name).partial-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? []
        for candidate in names where candidate.hasPrefix(prefix) {
            guard let pid = Int32(candidate.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + candidate) }
        }
    }
}

/// Whether two paths name the same file (device and inode), so an output can
/// never replace its own input.
func isSameFile(_ first: String, _ second: String) -> Bool {
    var a = stat(), b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}
