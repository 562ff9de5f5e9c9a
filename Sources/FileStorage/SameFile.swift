#if canImport(Glibc)
import Glibc
#endif

/// Whether two paths name the same file (device and inode), so an output can
/// never replace its own input.
package func isSameFile(_ first: String, _ second: String) -> Bool {
    var a = stat(), b = stat()
    guard stat(first, &a) == 0, stat(second, &b) == 0 else { return false }
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino
}
