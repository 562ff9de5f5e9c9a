import Foundation
import HDF5Store

/// A file written whole at the end of a run (the components' PNG) that appears under
/// its final name only then, like `PendingOutput`: created empty as a `StagedFile` at
/// once, so an unwritable destination fails before any work; renamed into place by
/// `commit`; removed on an error or a signal.
final class PendingFile {
    private let staged: StagedFile

    init(path: String) throws {
        staged = try StagedFile(destination: path)
    }

    func write(_ bytes: [UInt8]) throws {
        do {
            let handle = FileHandle(fileDescriptor: staged.descriptor, closeOnDealloc: false)
            try handle.write(contentsOf: bytes)
        } catch {
            throw HDF5StoreError.cannotCreate(path: staged.destination, reason: "\(error.localizedDescription)")
        }
    }

    func commit() throws {
        try staged.publish()
    }

    func discard() {
        staged.discard()
    }
}
