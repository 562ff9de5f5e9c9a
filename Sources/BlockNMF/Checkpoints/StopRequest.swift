import Foundation

/// Why a run stopped before it finished, leaving a checkpoint to resume from.
public enum StopReason: Sendable, Equatable, CustomStringConvertible {
    /// A signal (SIGTERM, SIGINT, SIGUSR1) asked the run to stop.
    case signal(Int32)
    /// The run's wall-clock limit was reached.
    case timeLimit(seconds: Double)
    /// The library's caller asked (`StopRequest.stop()`).
    case requested

    public var description: String {
        switch self {
        case .signal(SIGTERM): "SIGTERM"
        case .signal(SIGINT): "SIGINT"
        case .signal(SIGUSR1): "SIGUSR1"
        case .signal(let number): "signal \(number)"
        case .timeLimit(let seconds): "time limit \(WallClockDuration.format(seconds))"
        case .requested: "stop request"
        }
    }
}

/// A request, from any thread, that a checkpointed run stop at its next consistent
/// point (the end of the tile being combined), write a checkpoint and return.
/// The first reason given is the one reported.
public final class StopRequest: Sendable {
    private let stored = Locked<StopReason?>(nil)

    public init() {}

    public func stop(_ reason: StopReason = .requested) {
        stored.withLock { if $0 == nil { $0 = reason } }
    }

    public var reason: StopReason? { stored.withLock { $0 } }
}
