import Foundation
import HDF5Store

/// The files of one checkpoint directory: state files `state-<sequence>` (the newest
/// two are kept, so a damaged newest one can fall back to the one before), W's two
/// buffers `W.0` and `W.1`, and a lock file held while a run uses the directory.
final class CheckpointDirectory {
    let path: String
    private let lock: FileLock
    static let statesKept = 2
    private static let statePrefix = "state-"
    private static let lockName = "lock"

    /// Creates the directory when missing and takes its lock.
    init(path: String) throws {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        do {
            try FileManager.default.createDirectory(atPath: self.path, withIntermediateDirectories: true)
        } catch {
            throw HDF5StoreError.cannotCreate(path: self.path, reason: "cannot create the checkpoint directory")
        }
        guard let lock = try FileLock(path: "\(self.path)/\(Self.lockName)") else {
            throw CheckpointError.inUse(directory: self.path)
        }
        self.lock = lock
    }

    func bufferPath(_ index: Int) -> String { "\(path)/W.\(index)" }

    /// The state files, newest first.
    func statePaths() -> [(sequence: Int, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix(Self.statePrefix), let sequence = Int(name.dropFirst(Self.statePrefix.count)) else {
                return nil
            }
            return (sequence, "\(path)/\(name)")
        }.sorted { $0.0 > $1.0 }
    }

    func writeState(_ record: CheckpointRecord) throws -> Int {
        let bytes = try record.encoded()
        let name = "\(path)/\(Self.statePrefix)\(String(format: "%08d", record.sequence))"
        try DurableFile.replace(name, with: bytes, halfWritten: { CrashPoint.reach(.stateHalfWritten) })
        return bytes.count
    }

    /// Removes all but the newest `statesKept` state files.
    func pruneStates() {
        for old in statePaths().dropFirst(Self.statesKept) { unlink(old.path) }
    }

    /// Removes the checkpoint's files (state, buffers, leftovers of interrupted writes).
    func removeCheckpoint() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names where name.hasPrefix(Self.statePrefix) || name.hasPrefix("W.") {
            unlink("\(path)/\(name)")
        }
    }

    /// Removes the checkpoint and then the directory, unless it holds files of its own.
    func removeAll() {
        removeCheckpoint()
        unlink("\(path)/\(Self.lockName)")
        rmdir(path)
    }
}
