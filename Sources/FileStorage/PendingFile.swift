import Foundation

/// A file written whole at the end of a run (the components' PNG) that appears under
/// its final name only then: created empty as a `StagedFile` at once, so an unwritable
/// destination fails before any work; renamed into place by `commit`; removed on an error
/// or a signal.
package final class PendingFile {
    private let staged: StagedFile

    package init(path: String) throws {
        staged = try StagedFile(destination: path)
    }

    package func write(_ bytes: [UInt8]) throws {
        do {
            let handle = FileHandle(fileDescriptor: staged.descriptor, closeOnDealloc: false)
            try handle.write(contentsOf: bytes)
        } catch {
            throw FileStorageError.cannotCreate(path: staged.destination, reason: "\(error.localizedDescription)")
        }
    }

    package func commit() throws {
        try staged.publish()
    }

    package func discard() {
        staged.discard()
    }
}
