/// Why an existing checkpoint cannot be used, each with what to do about it.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// Another process is running with this checkpoint directory.
    case inUse(directory: String)
    /// The checkpoint was made for other input or another configuration.
    case mismatch(directory: String, differences: [Difference])
    /// No state in the directory passed its checksums.
    case damaged(directory: String, problems: [String])
    /// The checkpoint is already past the iteration limit asked for now.
    case beyondIterationLimit(directory: String, iteration: Int, maxIterations: Int)
    /// The directory, or a file in it, is a link, another user's or writable by others:
    /// its content could have been made to steer the result.
    case untrusted(directory: String, reason: String)

    /// A setting whose value in the checkpoint differs from this run's.
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public let name: String
        public let saved: String
        public let current: String

        public var description: String { "\(name) was \(saved), now \(current)" }
    }

    public var description: String {
        switch self {
        case let .inUse(directory):
            return "checkpoint directory \(directory) is in use by another blocknmf process"
        case let .mismatch(directory, differences):
            let list = differences.map(\.description).joined(separator: "; ")
            return "checkpoint in \(directory) was made for another run (\(list)); rerun with --restart to discard it, or use another --checkpoint directory"
        case let .damaged(directory, problems):
            return "checkpoint in \(directory) is damaged (\(problems.joined(separator: "; "))); rerun with --restart to start over"
        case let .beyondIterationLimit(directory, iteration, maxIterations):
            return "checkpoint in \(directory) is at iteration \(iteration), beyond --max-iter \(maxIterations); raise --max-iter or rerun with --restart"
        case let .untrusted(directory, reason):
            return "refusing checkpoint directory \(directory): \(reason); a checkpoint is used only when this user owns it and no one else can write to it"
        }
    }
}

/// A checkpointed run that stopped early on request, leaving a checkpoint to resume from.
public struct FactorizationStopped: Error, Equatable, CustomStringConvertible {
    public let reason: StopReason
    /// Iterations complete, and the rows of the next one already done.
    public let iteration: Int
    public let rowsDone: Int
    public let rows: Int
    public let checkpointDirectory: String
    /// false when the stop came before the first checkpoint (while V was first read).
    public let checkpointSaved: Bool

    public var description: String {
        guard checkpointSaved else {
            return "stopped by \(reason) before the first iteration; no checkpoint yet, a rerun starts over"
        }
        let position = rowsDone > 0 ? "in iteration \(iteration + 1) at row \(rowsDone) of \(rows)" : "after iteration \(iteration)"
        return "stopped by \(reason) \(position); checkpoint saved in \(checkpointDirectory); run the same command again to resume"
    }
}
