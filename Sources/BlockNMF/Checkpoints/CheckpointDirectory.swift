import FileStorage
import Foundation

/// The files of one checkpoint directory: state files `state-<sequence>` (the newest
/// two are kept, so a damaged newest one can fall back to the one before), W's two
/// buffers `W.0` and `W.1`, and a lock file held while a run uses the directory.
///
/// A checkpoint with valid checksums is taken as it is, so the directory is used only when
/// it is this user's, writable by no one else and not a link (made with mode 0700 when
/// missing), and so is every checkpoint file in it; otherwise `CheckpointError.untrusted`,
/// before any state is read or any file removed. Files are reached through the open directory,
/// created with `O_EXCL | O_NOFOLLOW` and mode 0600.
final class CheckpointDirectory {
    let path: String
    let files: OpenDirectory
    private let lock: FileLock
    static let statesKept = 2
    private static let statePrefix = "state-"
    private static let lockName = "lock"

    /// Creates the directory when missing, checks it and its files, and takes its lock.
    init(path: String) throws {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        let parent = FileSystem.parentDirectory(of: self.path)
        if !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw FileStorageError.cannotCreate(path: self.path, reason: "cannot create the checkpoint directory")
            }
        }
        do {
            files = try OpenDirectory.makeOrOpenPrivate(self.path)
            // The lock first (opened only if trusted): another run may be writing the rest.
            guard let lock = try FileLock(name: Self.lockName, in: files) else {
                throw CheckpointError.inUse(directory: self.path)
            }
            self.lock = lock
            for name in files.names().sorted() where Self.isCheckpointFile(name) { try files.checkTrusted(name) }
        } catch let error as UntrustedFileError {
            throw CheckpointError.untrusted(directory: self.path, reason: Self.reason(error, directory: self.path))
        }
        // State files under construction when a run was killed; none is being written now.
        for name in files.names() where name.hasPrefix(Self.statePrefix) && name.contains(DurableFile.temporarySuffix) {
            files.remove(name)
        }
    }

    static func bufferName(_ index: Int) -> String { "W.\(index)" }

    private static func isCheckpointFile(_ name: String) -> Bool {
        name == lockName || name.hasPrefix(statePrefix) || name.hasPrefix("W.")
    }

    /// The state files, newest first.
    func stateNames() -> [(sequence: Int, name: String)] {
        files.names().compactMap { name -> (Int, String)? in
            guard name.hasPrefix(Self.statePrefix), let sequence = Int(name.dropFirst(Self.statePrefix.count)) else {
                return nil
            }
            return (sequence, name)
        }.sorted { $0.0 > $1.0 }
    }

    func writeState(_ record: CheckpointRecord) throws -> Int {
        let bytes = try record.encoded()
        let name = "\(Self.statePrefix)\(String(format: "%08d", record.sequence))"
        try DurableFile.replace(name, in: files, with: bytes, halfWritten: { CrashPoint.reach(.stateHalfWritten) })
        return bytes.count
    }

    /// Removes all but the newest `statesKept` state files.
    func pruneStates() {
        for old in stateNames().dropFirst(Self.statesKept) { files.remove(old.name) }
    }

    /// Removes the checkpoint's files (state, buffers, leftovers of interrupted writes).
    func removeCheckpoint() {
        for name in files.names() where Self.isCheckpointFile(name) && name != Self.lockName { files.remove(name) }
    }

    /// Removes the checkpoint and then the directory, unless it holds files of its own.
    func removeAll() {
        removeCheckpoint()
        files.remove(Self.lockName)
        rmdir(path)
    }

    /// "it …" for the directory itself, else the file's path and what is wrong with it.
    private static func reason(_ error: UntrustedFileError, directory: String) -> String {
        error.path == directory ? "it \(error.problem)" : error.description
    }
}
