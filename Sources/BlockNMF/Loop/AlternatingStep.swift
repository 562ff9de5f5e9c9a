import NMFKernels

/// One kind of alternating update as `AlternatingLoop` drives it: what each tile of a
/// pass does, and what happens once the pass's statistics are summed.
///
/// A step owns its update rules, its statistics, how it measures the loss and when its
/// stopping rule is asked; the loop owns everything else (passes, W, resume, progress,
/// checkpoints, undoing a pass, the end). A new solver or loss is one new step.
protocol AlternatingStep<T> {
    associatedtype T: NMFScalar
    associatedtype Statistics: PassStatistics
    associatedtype Tile: TileStep<T, Statistics.TileShare>

    /// The work of pass `iteration` (1-based) over factors with this H.
    mutating func beginPass(iteration: Int, h: Matrix<T>) -> PassWork<Tile, Statistics>

    /// After pass `iteration`, with its statistics summed over V: updates H (when the step
    /// learns it), the loss history and the stopping rule in `state`, and says how the
    /// pass ends.
    mutating func endPass(iteration: Int, statistics: Statistics, state: inout LoopState<T>) throws -> PassEnd

    /// The loss history and convergence of a finished fit, once the final pass has measured
    /// the error of the last iterate.
    mutating func completeHistory(finalError: Double, state: inout LoopState<T>)

    /// The final factors' error when the loop's last pass already measured it exactly, so
    /// that no pass is spent on it; nil when a pass must measure it.
    func finalError(of state: LoopState<T>) -> Double?
}

extension AlternatingStep {
    mutating func completeHistory(finalError _: Double, state _: inout LoopState<T>) {}

    func finalError(of _: LoopState<T>) -> Double? { nil }
}

/// What a worker does with one tile of V and the tile's rows of W.
protocol TileStep<T, Share>: Sendable {
    associatedtype T: NMFScalar
    associatedtype Share: Sendable

    /// The tile's new rows of W and its share of the pass's statistics.
    func update(_ tile: MatrixRows<T>, w: Matrix<T>) -> (w: Matrix<T>, share: Share)
}

/// One pass's work, as a step sets it up.
struct PassWork<Tile, Statistics> {
    /// Run on every tile, on the workers.
    var tile: Tile
    /// The statistics of no tile, of the shapes the pass fills.
    var empty: Statistics
    /// The pass may be undone (`PassEnd.undone`): W as it stood before it is kept.
    var mayBeUndone: Bool
}

/// How a pass ends.
enum PassEnd {
    /// W and H of the pass are the new iterate.
    case kept(IterationProgress)
    /// The pass showed the iterate it started from to be the result (its loss, measured
    /// by this pass, met the stopping rule): W goes back, and the fit ends there.
    case undone(IterationProgress)
}
