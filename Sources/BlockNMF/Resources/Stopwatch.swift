#if canImport(Glibc)
import Glibc
#endif

/// Monotonic wall-clock time since creation.
package struct Stopwatch: Sendable {
    private let start = Stopwatch.now()

    package init() {}

    package var elapsedSeconds: Double { Stopwatch.now() - start }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
