import Foundation

/// The most resident memory this process has held so far, in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
    return Int(usage.ru_maxrss) * 1024  // Linux reports kibibytes
}
