#if canImport(Glibc)
import Glibc
#endif

/// The process's own resource use.
public enum ResourceUsage {
    /// Peak resident set size so far (getrusage), in bytes.
    public static var peakResidentBytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
