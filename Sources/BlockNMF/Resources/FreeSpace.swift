import Foundation

/// Free space where a run will write, asked of the file system before the work (statvfs).
enum FreeSpace {
    /// The file system holding `directory` (or, when it does not exist yet, its nearest
    /// existing parent): its device and the bytes an unprivileged writer may still use.
    static func available(at directory: String) -> (device: UInt64, bytes: Int)? {
        var path = directory.isEmpty ? "." : directory
        var status = stat()
        while stat(path, &status) != 0 {
            guard errno == ENOENT, path != "/", path != "." else { return nil }
            path = parentDirectory(of: path)
        }
        var space = statvfs()
        guard statvfs(path, &space) == 0 else { return nil }
        return (UInt64(status.st_dev), Int(space.f_bavail) * Int(space.f_frsize))
    }

    /// Bytes the files directly in `directory` take on the device (none when it does not
    /// exist): a checkpoint's files, which a resumed run rewrites in place.
    static func allocatedBytes(in directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.reduce(0) { total, name in
            var status = stat()
            guard lstat("\(directory)/\(name)", &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return total }
            return total + Int(status.st_blocks) * 512
        }
    }

    /// The directory part of `path` ("." when there is none).
    static func parentDirectory(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }
}
