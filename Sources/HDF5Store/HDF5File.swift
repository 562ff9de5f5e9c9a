import CHDF5
import FileStorage

/// An open HDF5 file.
///
/// Thread safety: the serial HDF5 library is not thread-safe, and its state is shared by all
/// open files. A file (and every source reading from it) may be handed to another thread,
/// hence `@unchecked Sendable`, but all calls into this module, on any file, must come from
/// one thread at a time — the engine keeps them on a single reader thread.
public final class HDF5File: @unchecked Sendable {
    /// The path as given when the file was opened or created; used in every error message.
    public let path: String
    public let isWritable: Bool
    private var handle: FileHandle?
    /// For a file opened read-only: what it was when opened, to notice another program changing it.
    private let watch: FileChangeWatch?

    private init(path: String, isWritable: Bool, handle: consuming FileHandle, watch: FileChangeWatch? = nil) {
        self.path = path
        self.isWritable = isWritable
        self.handle = .some(handle)
        self.watch = watch
    }

    /// Opens an existing file without ever modifying it.
    public static func openReadOnly(_ path: String) throws -> HDF5File {
        guard FileSystem.exists(path) else { throw HDF5StoreError.fileNotFound(path: path) }
        guard !FileSystem.isDirectory(path) else {
            throw HDF5StoreError.cannotOpen(path: path, reason: "it is a directory")
        }
        guard FileSystem.isReadable(path) else {
            throw HDF5StoreError.cannotOpen(path: path, reason: "permission denied")
        }
        let isHDF5: htri_t
        do {
            isHDF5 = try hdf5("H5Fis_hdf5 \(path)", file: path) { H5Fis_hdf5(path) }
        } catch HDF5StoreError.library {
            throw HDF5StoreError.notHDF5(path: path)
        }
        guard isHDF5 > 0 else { throw HDF5StoreError.notHDF5(path: path) }
        let watch = try FileChangeWatch(path: path)
        do {
            let handle = try FileHandle("H5Fopen \(path)", file: path) {
                H5Fopen(path, chdf5_acc_rdonly(), chdf5_p_default())
            }
            return HDF5File(path: path, isWritable: false, handle: handle, watch: watch)
        } catch let HDF5StoreError.library(_, stack) {
            throw HDF5StoreError.cannotOpen(path: path, reason: HDF5StoreError.deepestCause(of: stack))
        }
    }

    /// Creates a new file, replacing any file already at `path`.
    public static func create(_ path: String) throws -> HDF5File {
        if let obstacle = FileSystem.creationObstacle(for: path) {
            throw HDF5StoreError.cannotCreate(path: path, reason: obstacle)
        }
        return try create(path, at: path)
    }

    /// Creates the file known as `path` (in messages) at `location`, replacing any file
    /// there: HDF5 opens files only by name, so a caller that made the file itself (see
    /// `OpenDirectory.createFile`) gives HDF5 a name that reaches it.
    public static func create(_ path: String, at location: String) throws -> HDF5File {
        do {
            let handle = try FileHandle("H5Fcreate \(path)", file: path) {
                H5Fcreate(location, chdf5_acc_trunc(), chdf5_p_default(), chdf5_p_default())
            }
            return HDF5File(path: path, isWritable: true, handle: handle)
        } catch let HDF5StoreError.library(_, stack) {
            throw HDF5StoreError.cannotCreate(path: path, reason: HDF5StoreError.deepestCause(of: stack))
        } catch let HDF5StoreError.inputOutput(_, _, reason) {
            // The system refused the new file (no such directory, permission, read-only).
            throw HDF5StoreError.cannotCreate(path: path, reason: reason)
        }
    }

    /// Bytes the file takes (HDF5's end of file), also when it has no name any more.
    public func size() throws -> Int {
        let file = try id
        var bytes: hsize_t = 0
        try hdf5("H5Fget_filesize \(path)") { H5Fget_filesize(file, &bytes) }
        return Int(bytes)
    }

    /// Writes buffered data to disk.
    public func flush() throws {
        let file = try id
        try hdf5("H5Fflush \(path)", file: path) { H5Fflush(file, H5F_SCOPE_GLOBAL) }
    }

    /// Throws `changedDuringRun` when another program has changed the file (its size or
    /// modification time) since it was opened read-only: HDF5 reads beyond a truncated end
    /// as zeros, so a reader that streams the file asks this after each pass.
    public func checkUnchanged() throws {
        try watch?.check()
    }

    /// Closes the file now and reports failure; otherwise it closes when released. Objects
    /// still open in it (such as a `DenseRowBlockSource`) keep the underlying file open
    /// until they are released too.
    public func close() throws {
        guard let handle = handle.take() else { return }
        try handle.close(file: path)
    }

    var id: hid_t {
        get throws {
            guard let file = handle?.id else { throw HDF5StoreError.fileClosed(path: path) }
            return file
        }
    }
}
