#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Places where the crash tests kill the process, chosen through the environment
/// variable `BLOCKNMF_CRASH_AT=point:count[:TERM|STOP]`: the process sends itself SIGKILL
/// (or SIGTERM, for a graceful stop at that point) the `count`-th time it reaches
/// `point`. With STOP it suspends itself there (SIGSTOP), so that a test can change its
/// files (truncate the input, fill the disk) before it continues it with SIGCONT.
/// Unset, reaching a point costs one check.
enum CrashPoint: String, CaseIterable {
    /// After a tile's rows of W are written, in mid-pass.
    case midPass = "mid-pass"
    /// After a pass over V, before the H update.
    case passEnd = "pass-end"
    /// With W's buffers flushed for a checkpoint, before its state file is written.
    case buffersFlushed = "buffers-flushed"
    /// Half-way through writing a state file.
    case stateHalfWritten = "state-write"
    /// After a state file is renamed into place, before the buffers change roles.
    case stateCommitted = "state-committed"

    private static let target: (point: CrashPoint, count: Int, signal: Int32)? = {
        guard let text = ProcessInfo.processInfo.environment["BLOCKNMF_CRASH_AT"] else { return nil }
        let parts = text.split(separator: ":")
        guard (2...3).contains(parts.count), let point = CrashPoint(rawValue: String(parts[0])),
              let count = Int(parts[1]) else { return nil }
        let signal = parts.count < 3 ? SIGKILL : parts[2] == "TERM" ? SIGTERM : parts[2] == "STOP" ? SIGSTOP : SIGKILL
        return (point, count, signal)
    }()

    private static let counter = Locked(0)

    static func reach(_ point: CrashPoint) {
        guard let target, target.point == point else { return }
        let count = counter.withLock { count -> Int in
            count += 1
            return count
        }
        guard count == target.count else { return }
        kill(getpid(), target.signal)
        // Time for the handler to record a SIGTERM, so the stop comes at the next tile.
        usleep(200_000)
    }
}
