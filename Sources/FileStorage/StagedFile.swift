#if canImport(Glibc)
import Glibc
#endif

/// A new file built where no one else can reach it and put in place whole.
///
/// It is made in a private directory (mode 0700, named `.NAME.partial-PID-` and twelve
/// random characters) beside its destination, as a file of mode 0600 created with
/// `O_EXCL | O_NOFOLLOW`, and is reached through the directory's descriptor; `publish`
/// gives it the mode a new file gets under the umask and renames it into place (atomic
/// within a file system). The destination's directory may be writable by others: nothing
/// in it is opened by a predictable name, and a link planted at the destination is
/// replaced, never followed. See docs/reliability.md, "Shared directories".
package final class StagedFile {
    package let destination: String
    /// The file under construction, open for reading and writing.
    package let descriptor: Int32
    private let parent: OpenDirectory
    private let staging: OpenDirectory
    private let stagingName: String
    private let name: String
    private var finished = false

    /// Where a library that opens files by name (HDF5) finds the file under construction.
    package var constructionPath: String { staging.pathThroughDescriptor(name) }

    package init(destination path: String) throws {
        if let obstacle = FileSystem.creationObstacle(for: path) {
            throw FileStorageError.cannotCreate(path: path, reason: obstacle)
        }
        destination = path
        name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        do {
            parent = try OpenDirectory(path: FileSystem.parentDirectory(of: path))
            Self.removeAbandoned(of: name, in: parent)
            (stagingName, staging) = try parent.makePrivateSubdirectory(prefix: ".\(name).partial-\(getpid())-")
        } catch let FileStorageError.cannotOpen(_, reason), let FileStorageError.cannotCreate(_, reason) {
            throw FileStorageError.cannotCreate(path: path, reason: reason)
        }
        TemporaryFiles.register(parent.member(stagingName))
        do {
            descriptor = try staging.createFile(name)
        } catch {
            parent.removeDirectory(stagingName)
            TemporaryFiles.unregister(parent.member(stagingName))
            throw error
        }
        TemporaryFiles.register(constructionPath)
    }

    deinit {
        discard()
        close(descriptor)
    }

    /// Flushes the file to the device, so the destination never names data still only in
    /// the page cache, and renames it into place; on failure the file is discarded.
    package func publish() throws {
        precondition(!finished, "published once")
        do {
            guard fsync(descriptor) == 0, fchmod(descriptor, Self.newFileMode) == 0 else {
                throw FileStorageError.cannotCreate(path: destination, reason: String(cString: strerror(errno)))
            }
            try staging.rename(name, to: parent, as: name)
        } catch {
            discard()
            throw error
        }
        finished = true
        parent.removeDirectory(stagingName)
        TemporaryFiles.unregister(constructionPath)
        TemporaryFiles.unregister(parent.member(stagingName))
    }

    /// Removes the file under construction and its directory.
    package func discard() {
        guard !finished else { return }
        finished = true
        staging.remove(name)
        parent.removeDirectory(stagingName)
        TemporaryFiles.unregister(constructionPath)
        TemporaryFiles.unregister(parent.member(stagingName))
    }

    /// 0666 less the umask: the mode any new file of this process gets (read once; umask
    /// cannot be read without being set, and 077 in between only narrows a file made then).
    private static let newFileMode: mode_t = {
        let mask = umask(0o077)
        umask(mask)
        return 0o666 & ~mask
    }()

    /// Removes what runs killed before they could clean up (SIGKILL) left for this
    /// destination: `.NAME.partial-PID-…` directories (and `.NAME.partial-PID` files of
    /// earlier versions) whose process no longer exists. Only this user's directories and
    /// files are removed, and no link is followed (`OpenDirectory.removeOwnLeftover`).
    private static func removeAbandoned(of name: String, in directory: OpenDirectory) {
        let prefix = ".\(name).partial-"
        for candidate in directory.names() where candidate.hasPrefix(prefix) {
            let process = candidate.dropFirst(prefix.count).prefix { $0 != "-" }
            guard let pid = Int32(process), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { directory.removeOwnLeftover(candidate) }
        }
    }
}
