import Foundation
import HDF5Store

/// A file written whole at the end of a run (the components' PNG) that appears under
/// its final name only then, like `PendingOutput`: created empty under a hidden name at
/// once, so an unwritable destination fails before any work; renamed into place by
/// `commit`; removed on an error or a signal.
final class PendingFile {
    private let name: TemporaryName
    private var handle: FileHandle?
    private var finished = false

    var finalPath: String { name.finalPath }

    init(path: String) throws {
        name = TemporaryName(for: path)
        TemporaryFiles.register(name.temporaryPath)
        let descriptor = open(name.temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            TemporaryFiles.unregister(name.temporaryPath)
            throw HDF5StoreError.cannotCreate(path: path, reason: reason)
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func write(_ bytes: [UInt8]) throws {
        do {
            try handle?.write(contentsOf: bytes)
        } catch {
            throw HDF5StoreError.cannotCreate(path: name.finalPath, reason: "\(error.localizedDescription)")
        }
    }

    func commit() throws {
        try? handle?.close()
        handle = nil
        try name.commit(or: discard)
        finished = true
    }

    func discard() {
        guard !finished else { return }
        try? handle?.close()
        handle = nil
        name.remove()
        finished = true
    }

    deinit { discard() }
}
