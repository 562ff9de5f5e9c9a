#if canImport(Glibc)
import Glibc
#endif

/// A file or directory that is not believed: what it holds would steer a result (a
/// checkpoint with valid checksums is taken as it is), so it must be this user's, writable
/// by no one else, and not a link to somewhere else.
public struct UntrustedFileError: Error, Equatable, CustomStringConvertible {
    public let path: String
    /// Why, as the end of a sentence about the file: "is owned by uid 65534, …".
    public let problem: String

    public var description: String { "\(path) \(problem)" }
}

enum FileTrust {
    /// Why a file with `status` (from `lstat`, so a link is seen as a link) is not to be
    /// trusted, or nil when it is; `kind` is `S_IFREG` or `S_IFDIR`.
    static func problem(with status: stat, kind: mode_t) -> String? {
        let type = status.st_mode & S_IFMT
        if type == S_IFLNK { return "is a symbolic link" }
        if type != kind { return kind == S_IFDIR ? "is not a directory" : "is not a regular file" }
        let user = geteuid()
        if status.st_uid != user { return "is owned by uid \(status.st_uid), not by this user (uid \(user))" }
        let writers = [(S_IWGRP, "its group"), (S_IWOTH, "other users")]
            .filter { status.st_mode & $0.0 != 0 }.map(\.1)
        if !writers.isEmpty {
            return "is writable by \(writers.joined(separator: " and ")) (mode \(String(status.st_mode & 0o777, radix: 8)))"
        }
        return nil
    }
}
