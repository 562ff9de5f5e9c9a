import FileStorage

/// An output file that appears under its final name only when complete.
///
/// It is created at once as a `StagedFile` beside the destination, so an unwritable
/// destination fails before any work is done; `commit` renames it into place (atomic
/// within a file system), and anything else — an error, SIGINT or SIGTERM (see
/// `TemporaryFiles`) — leaves the destination untouched and no temporary file behind.
package final class PendingOutput {
    package let file: HDF5File
    private let staged: StagedFile

    package init(path: String) throws {
        staged = try StagedFile(destination: path)
        do {
            file = try HDF5File.create(path, at: staged.constructionPath)
        } catch {
            staged.discard()
            throw error
        }
    }

    package func commit() throws {
        do {
            try file.close()
        } catch {
            staged.discard()
            throw error
        }
        try staged.publish()
    }

    package func discard() {
        try? file.close()
        staged.discard()
    }

    deinit { discard() }
}
