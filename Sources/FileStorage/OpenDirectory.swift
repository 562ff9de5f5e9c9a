#if canImport(Glibc)
import Glibc
#endif

/// A directory held open by a descriptor. Files in it are created, opened, renamed and
/// removed relative to the descriptor, so once it is open, renaming its path or planting a
/// link in one of the path's components cannot send them to another directory; new files
/// are made with `O_CREAT | O_EXCL | O_NOFOLLOW` (never through a link, never an existing
/// file) and mode 0600 whatever the umask.
public final class OpenDirectory: @unchecked Sendable {
    /// As given; used in messages.
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The directory at `path`, following links: a directory the user named.
    public convenience init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileStorageError.cannotOpen(path: path, reason: Self.systemError()) }
        self.init(path: path, descriptor: descriptor)
    }

    /// The directory at `path`, made with mode 0700 when missing (its parent must exist). It
    /// must be this user's and writable by no one else, and not a link
    /// (`UntrustedFileError` otherwise): what is kept in it is taken as it is.
    public static func makeOrOpenPrivate(_ path: String) throws -> OpenDirectory {
        let made = mkdir(path, 0o700) == 0
        guard made || errno == EEXIST else { throw FileStorageError.cannotCreate(path: path, reason: systemError()) }
        // O_NOFOLLOW, and the checks on the open descriptor: whatever was at `path` a moment
        // ago, this is the directory used from now on.
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let (code, reason) = (errno, systemError())
            var status = stat()
            if lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK {
                throw UntrustedFileError(path: path, problem: "is a symbolic link")
            }
            if code == ENOTDIR { throw FileStorageError.cannotCreate(path: path, reason: "it exists and is not a directory") }
            throw FileStorageError.cannotOpen(path: path, reason: reason)
        }
        let directory = OpenDirectory(path: path, descriptor: descriptor)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileStorageError.cannotOpen(path: path, reason: systemError()) }
        // The umask may have taken bits from mkdir's 0700 (it never adds any).
        if made && status.st_uid == geteuid() && fchmod(descriptor, 0o700) == 0 { status.st_mode = S_IFDIR | 0o700 }
        if let problem = FileTrust.problem(with: status, kind: S_IFDIR) {
            throw UntrustedFileError(path: path, problem: problem)
        }
        return directory
    }

    /// A new directory in this one, mode 0700, named `prefix` and twelve random letters and
    /// digits; nobody else can list, create or open anything in it.
    public func makePrivateSubdirectory(prefix: String) throws -> (name: String, directory: OpenDirectory) {
        for _ in 0..<100 {
            let name = prefix + Self.randomSuffix()
            guard mkdirat(descriptor, name, 0o700) == 0 else {
                if errno == EEXIST { continue }
                throw FileStorageError.cannotCreate(path: member(name), reason: Self.systemError())
            }
            let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard opened >= 0 else { throw FileStorageError.cannotCreate(path: member(name), reason: Self.systemError()) }
            let directory = OpenDirectory(path: member(name), descriptor: opened)
            var status = stat()
            guard fstat(opened, &status) == 0, status.st_uid == geteuid(), fchmod(opened, 0o700) == 0 else {
                throw FileStorageError.cannotCreate(path: member(name), reason: "it was replaced as it was made")
            }
            return (name, directory)
        }
        throw FileStorageError.cannotCreate(path: member(prefix + "…"), reason: "no unused name found")
    }

    /// Creates the file `name`, which must not exist, open for reading and writing, mode 0600.
    /// The caller closes the descriptor.
    public func createFile(_ name: String) throws -> Int32 {
        guard let file = try createFileIfAbsent(name) else {
            throw FileStorageError.cannotCreate(path: member(name), reason: String(cString: strerror(EEXIST)))
        }
        return file
    }

    /// Creates a new file named `prefix` and twelve random letters and digits, as `createFile`.
    public func createUniqueFile(prefix: String) throws -> (name: String, descriptor: Int32) {
        for _ in 0..<100 {
            let name = prefix + Self.randomSuffix()
            if let file = try createFileIfAbsent(name) { return (name, file) }
        }
        throw FileStorageError.cannotCreate(path: member(prefix + "…"), reason: "no unused name found")
    }

    /// As `createFile`, but nil when something (a file, a link) is already at `name`.
    public func createFileIfAbsent(_ name: String) throws -> Int32? {
        let file = openat(descriptor, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard file >= 0 else {
            if errno == EEXIST { return nil }
            throw FileStorageError.cannotCreate(path: member(name), reason: Self.systemError())
        }
        // The umask may have taken bits from 0600; no others are wanted whatever it is.
        guard fchmod(file, 0o600) == 0 else {
            let reason = Self.systemError()
            close(file)
            unlinkat(descriptor, name, 0)
            throw FileStorageError.cannotCreate(path: member(name), reason: reason)
        }
        return file
    }

    /// Opens the existing file `name` with `flags`, never through a link; it must be a
    /// regular file of this user that no one else can write (`UntrustedFileError`).
    public func openTrusted(_ name: String, flags: Int32) throws -> Int32 {
        let file = openat(descriptor, name, flags | O_NOFOLLOW | O_CLOEXEC)
        guard file >= 0 else {
            switch errno {
            case ENOENT: throw FileStorageError.fileNotFound(path: member(name))
            case ELOOP: throw UntrustedFileError(path: member(name), problem: "is a symbolic link")
            default: throw FileStorageError.cannotOpen(path: member(name), reason: Self.systemError())
            }
        }
        var status = stat()
        guard fstat(file, &status) == 0 else {
            let reason = Self.systemError()
            close(file)
            throw FileStorageError.cannotOpen(path: member(name), reason: reason)
        }
        if let problem = FileTrust.problem(with: status, kind: S_IFREG) {
            close(file)
            throw UntrustedFileError(path: member(name), problem: problem)
        }
        return file
    }

    /// Throws `UntrustedFileError` unless `name` is a regular file of this user that no one
    /// else can write (a link is not followed).
    public func checkTrusted(_ name: String) throws {
        var status = stat()
        guard fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { throw FileStorageError.fileNotFound(path: member(name)) }
            throw FileStorageError.cannotOpen(path: member(name), reason: Self.systemError())
        }
        if let problem = FileTrust.problem(with: status, kind: S_IFREG) {
            throw UntrustedFileError(path: member(name), problem: problem)
        }
    }

    /// The names in the directory (without `.` and `..`).
    public func names() -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            return []
        }
        defer { closedir(stream) }
        // The copy shares the position of earlier listings.
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Moves `name` to `newName` in `destination` (atomic on one file system; a link or file
    /// at `newName` is replaced, never followed).
    public func rename(_ name: String, to destination: OpenDirectory, as newName: String) throws {
        guard renameat(descriptor, name, destination.descriptor, newName) == 0 else {
            throw FileStorageError.cannotCreate(path: destination.member(newName), reason: Self.systemError())
        }
    }

    /// Removes the entry `name` (a link itself, never what it points to); false when it could not.
    @discardableResult
    public func remove(_ name: String) -> Bool { unlinkat(descriptor, name, 0) == 0 }

    /// Removes the empty directory `name`.
    @discardableResult
    public func removeDirectory(_ name: String) -> Bool { unlinkat(descriptor, name, AT_REMOVEDIR) == 0 }

    /// Removes `name` when it is this user's: a regular file, or a directory holding only
    /// regular files of this user. Links are never followed and nothing of another user is
    /// removed; anything else is left alone. For leftovers of runs that were killed.
    public func removeOwnLeftover(_ name: String) {
        var status = stat()
        guard fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_uid == geteuid() else { return }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            unlinkat(descriptor, name, 0)
        case S_IFDIR:
            let opened = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard opened >= 0 else { return }
            let leftover = OpenDirectory(path: member(name), descriptor: opened)
            guard fstat(opened, &status) == 0, status.st_uid == geteuid() else { return }
            let files = leftover.names()
            for file in files {
                guard fstatat(opened, file, &status, AT_SYMLINK_NOFOLLOW) == 0, status.st_uid == geteuid(),
                      status.st_mode & S_IFMT == S_IFREG else { return }
            }
            for file in files { unlinkat(opened, file, 0) }
            unlinkat(descriptor, name, AT_REMOVEDIR)
        default:
            return
        }
    }

    /// Flushes the directory's entries, so a rename in it survives a power cut.
    public func synchronize() throws {
        guard fsync(descriptor) == 0 else {
            throw FileStorageError.systemCallFailed(operation: "fsync \(path)", reason: Self.systemError())
        }
    }

    /// A path to `name` that goes through this open directory, not through its path: for a
    /// library that opens files only by name (HDF5). `/proc/self/fd` on Linux; where that is
    /// missing, the directory's path.
    public func pathThroughDescriptor(_ name: String) -> String {
        let throughDescriptor = "/proc/self/fd/\(descriptor)"
        var status = stat(), opened = stat()
        if stat(throughDescriptor, &status) == 0, fstat(descriptor, &opened) == 0,
           status.st_dev == opened.st_dev, status.st_ino == opened.st_ino {
            return "\(throughDescriptor)/\(name)"
        }
        return member(name)
    }

    /// `name`'s path through this directory's path, for messages.
    public func member(_ name: String) -> String { path.hasSuffix("/") ? path + name : "\(path)/\(name)" }

    private static func randomSuffix() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
