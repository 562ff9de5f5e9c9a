#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few questions about the file system that HDF5 answers only with an error stack;
/// asking them first gives users errors that say what is wrong.
public enum FileSystem {
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Why a new file cannot be created at `path`, or nil when nothing is known to prevent it.
    public static func creationObstacle(for path: String) -> String? {
        if path.isEmpty { return "no file name given" }
        let directory = parentDirectory(of: path)
        if !exists(directory) { return "directory \(directory) does not exist" }
        if !isDirectory(directory) { return "\(directory) is not a directory" }
        if access(directory, W_OK | X_OK) != 0 { return "directory \(directory) is not writable" }
        if isDirectory(path) { return "it is a directory" }
        return nil
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = path[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }
}
