/// A run that the machine cannot carry: found before the first pass over V, from the shapes,
/// the memory and the free space, or (`noSpace`) when a write meets a full disk.
public enum ResourceError: Error, Equatable, CustomStringConvertible {
    /// W (m×k), H (k×n) or a k×k product has more elements than can be addressed.
    case factorsTooLarge(rank: Int, rows: Int, columns: Int)
    /// The factors and the products of rank `rank` alone need more memory than the machine has.
    case rankNeedsMoreMemory(rank: Int, needed: Int, largest: MemoryPart, machine: Int)
    /// A sparse V's rows need more memory for their offsets (the reader's, and the sort's when
    /// its columns are put in row order) than the machine has.
    case rowsNeedMoreMemory(source: String, rows: Int, needed: Int, machine: Int)
    /// V's share of the budget and the factors together need more memory than the machine has.
    case budgetExceedsMachine(budget: Int, inputBytes: Int, factorBytes: Int, machine: Int)
    /// What is to be written at `path` does not fit in the file system's free space
    /// (`available`: nil when a write has just failed).
    case noSpace(path: String, needs: [SpaceNeed], available: Int?)

    /// A share of a run's memory, e.g. "each k×k product".
    public struct MemoryPart: Sendable, Equatable {
        public let name: String
        public let bytes: Int
    }

    /// Bytes a file (or a directory's files) will take, e.g. "the result".
    public struct SpaceNeed: Sendable, Equatable {
        public let what: String
        public let bytes: Int
    }

    public var description: String {
        let size = MemoryBudget.format
        switch self {
        case let .factorsTooLarge(rank, rows, columns):
            return "rank \(rank) is too large for a \(rows)×\(columns) matrix: W (\(rows)×\(rank)) or H "
                + "(\(rank)×\(columns)) has more elements than memory can address"
        case let .rankNeedsMoreMemory(rank, needed, largest, machine):
            return "rank \(rank) needs about \(size(needed)) of memory for W, H and their products "
                + "(\(largest.name) alone \(size(largest.bytes))), more than the \(size(machine)) this machine has; "
                + "use a smaller --rank"
        case let .rowsNeedMoreMemory(source, rows, needed, machine):
            return "\(source) has \(rows) rows, whose offsets need about \(size(needed)) of memory to be read, "
                + "more than the \(size(machine)) this machine has"
        case let .budgetExceedsMachine(budget, inputBytes, factorBytes, machine):
            let room = max(0, machine - factorBytes)
            return "--memory \(size(budget)) is more than this machine can give: V's blocks take \(size(inputBytes)) "
                + "and W, H and their products \(size(factorBytes)), against \(size(machine)) of memory; "
                + "use --memory \(MemoryBudget.suggestion(atMost: room)) or less"
        case let .noSpace(path, needs, available):
            let listed = needs.enumerated().map { index, need in
                index == 0 ? "\(need.what) needs about \(size(need.bytes))" : "\(need.what) \(size(need.bytes))"
            }.joined(separator: " and ")
            let free = available.map { ", \(size($0)) are free there" } ?? ""
            return "no space left on device writing \(path): \(listed)\(free)"
        }
    }
}
