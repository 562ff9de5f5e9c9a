import Foundation
import HDF5Store

/// An output file that appears under its final name only when complete.
///
/// It is created at once as a `StagedFile` beside the destination, so an unwritable
/// destination fails before any work is done; `commit` renames it into place (atomic
/// within a file system), and anything else — an error, SIGINT or SIGTERM (see
/// `TemporaryFiles`) — leaves the destination untouched and no temporary file behind.
final class PendingOutput {
    let file: HDF5File
    private let staged: StagedFile

    init(path: String) throws {
        staged = try StagedFile(destination: path)
        do {
            file = try HDF5File.create(path, at: staged.constructionPath)
        } catch {
            staged.discard()
            throw error
        }
    }

    func commit() throws {
        do {
            try file.close()
        } catch {
            staged.discard()
            throw error
        }
        try staged.publish()
    }

    func discard() {
        try? file.close()
        staged.discard()
    }

    deinit { discard() }
}

/// Whether two paths name the same file (device and inode), so an output can
/// never replace its own input.
func isSameFile(_ first: String, _ second: String) -> Bool {
    var a = stat(), b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}
