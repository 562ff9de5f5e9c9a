import NMFKernels

/// Everything that can stop a fit before it starts or while it runs, each with a
/// one-line description that names the parameter, the input and the position.
public enum NMFError: Error, Equatable, CustomStringConvertible {
    case invalidParameter(name: String, value: String, requirement: String)
    /// A setting that takes effect only with `--checkpoint DIR` (a time limit saves the run there).
    case needsCheckpoint(name: String, value: String)
    case rankTooLarge(rank: Int, initialization: InitializationMethod, samples: Int, features: Int)
    case emptyInput(source: String, rows: Int, columns: Int)
    case negativeValue(source: String, row: Int, column: Int, value: Double)
    case notFinite(source: String, row: Int, column: Int, value: Double)
    /// V's values are finite but too large for arithmetic in `precision`: sums of their
    /// products overflowed to infinity, then NaN.
    case overflow(source: String, precision: String)
    /// scikit-learn's rule: β ≤ 0 (Itakura-Saito and below) with a zero in V may diverge.
    case zeroWithNonPositiveBeta(source: String, row: Int, column: Int, loss: BetaLoss)
    case customInitMissing(factor: String)
    case customInitShape(factor: String, expected: [Int], actual: [Int])
    case customInitNegative(factor: String, row: Int, column: Int, value: Double)
    case customInitNotFinite(factor: String, row: Int, column: Int)
    case customInitAllZero(factor: String)
    case shapeMismatch(what: String, expected: [Int], actual: [Int])
    case decomposition(String)
    /// `anls`: block principal pivoting left right-hand sides infeasible at its iteration
    /// bound (never seen on a Gram matrix; the pass is refused rather than kept inexact).
    case leastSquaresNotConverged(source: String, iteration: Int, unsolved: Int)
    /// `reserved`: what the fit holds beside V's blocks out of the budget (NNDSVD's SVD).
    case budgetTooSmall(source: String, budget: Int, needed: Int, chunkRows: Int?, reserved: Int = 0)
    case factorTooLargeForInitialization(initialization: InitializationMethod, bytes: Int, budget: Int)
    /// `--init sample`'s rows and their fit do not fit in the memory budget.
    case sampleTooLargeForBudget(rows: Int, bytes: Int, budget: Int)
    /// The NNDSVD family's randomized SVD of V takes more than half the memory budget.
    case svdTooLargeForBudget(initialization: InitializationMethod, bytes: Int, budget: Int)

    public var description: String {
        func shape(_ dims: [Int]) -> String { dims.map(String.init).joined(separator: "×") }
        switch self {
        case let .invalidParameter(name, value, requirement):
            return "invalid --\(name) \(value): \(requirement)"
        case let .needsCheckpoint(name, value):
            return "invalid --\(name) \(value): needs --checkpoint DIR to save the run when it stops"
        case let .rankTooLarge(rank, initialization, samples, features):
            return "rank \(rank) is too large for init '\(initialization.rawValue)': it needs rank ≤ min(rows, columns) = \(min(samples, features)) for a \(samples)×\(features) matrix (init 'random' allows any rank)"
        case let .emptyInput(source, rows, columns):
            return "\(source) is empty (\(rows)×\(columns)); NMF needs at least one row and one column"
        case let .negativeValue(source, row, column, value):
            return "\(source) has a negative value \(value) at row \(row), column \(column); NMF needs non-negative data"
        case let .notFinite(source, row, column, value):
            return "\(source) has \(value) at row \(row), column \(column); NMF needs finite data"
        case let .overflow(source, precision):
            let remedy = precision == "float32" ? "use --precision float64 or scale the data down" : "scale the data down"
            return "\(source) has values too large for \(precision) arithmetic: the fit's sums overflowed to infinity; \(remedy)"
        case let .zeroWithNonPositiveBeta(source, row, column, loss):
            return "\(source) has a zero at row \(row), column \(column); with --loss \(loss) (β ≤ 0) zeros in V make the solver diverge: add a small value to V or use a positive β"
        case let .customInitMissing(factor):
            return "init 'custom' needs both W and H; \(factor) was not given"
        case let .customInitShape(factor, expected, actual):
            return "custom init \(factor) has shape \(shape(actual)), expected \(shape(expected))"
        case let .customInitNegative(factor, row, column, value):
            return "custom init \(factor) has a negative value \(value) at row \(row), column \(column)"
        case let .customInitNotFinite(factor, row, column):
            return "custom init \(factor) has a NaN or infinite value at row \(row), column \(column)"
        case let .customInitAllZero(factor):
            return "custom init \(factor) is all zeros"
        case let .shapeMismatch(what, expected, actual):
            return "\(what) has shape \(shape(actual)), expected \(shape(expected))"
        case let .budgetTooSmall(source, budget, needed, chunkRows, reserved):
            let chunks = chunkRows.map { ": its chunks span \($0) rows, and a block must hold their cache and \(TileSchedule.rowsPerTile)-row tiles" } ?? ""
            let besides = reserved > 0 ? " beside the \(MemoryBudget.format(reserved)) of NNDSVD's randomized SVD" : ""
            return "--memory \(MemoryBudget.format(budget)) is too small for \(source)\(chunks)\(besides); it needs at least \(MemoryBudget.format(needed)) (try --memory \(MemoryBudget.suggestion(atLeast: needed)))"
        case let .factorTooLargeForInitialization(initialization, bytes, budget):
            return "W (\(MemoryBudget.format(bytes))) does not fit in half of --memory \(MemoryBudget.format(budget)), and init '\(initialization.rawValue)' builds W in memory; use --init random or custom, or --memory \(MemoryBudget.suggestion(atLeast: 2 * bytes))"
        case let .sampleTooLargeForBudget(rows, bytes, budget):
            return "init 'sample' fits \(rows) rows of V in memory (\(MemoryBudget.format(bytes))), more than half of --memory \(MemoryBudget.format(budget)); use --memory \(MemoryBudget.suggestion(atLeast: 2 * bytes)) or another --init"
        case let .svdTooLargeForBudget(initialization, bytes, budget):
            return "init '\(initialization.rawValue)' computes a randomized SVD of V that holds \(MemoryBudget.format(bytes)) beside V's blocks, more than half of --memory \(MemoryBudget.format(budget)); use --memory \(MemoryBudget.suggestion(atLeast: 2 * bytes)), or --init sample or random"
        case let .decomposition(detail):
            return "SVD for the initialization failed: \(detail)"
        case let .leastSquaresNotConverged(source, iteration, unsolved):
            return "the exact least-squares solve of iteration \(iteration) on \(source) did not converge for \(unsolved) rows or columns; use --solver hals"
        }
    }
}
