import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's own resource use.
public enum ResourceUsage {
    /// Peak resident set size of this program so far, in bytes.
    ///
    /// Read from the kernel's high-water mark of this address space (`VmHWM`), not from
    /// `getrusage`: Linux carries into `ru_maxrss` the peak of the process that spawned this
    /// one, so under a large parent (a test runner, Python) `ru_maxrss` reports the parent.
    public static var peakResidentBytes: Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kibibytes = Int(line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first ?? "") {
            return kibibytes * 1024
        }
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024  // kibibytes on Linux
    }
}
