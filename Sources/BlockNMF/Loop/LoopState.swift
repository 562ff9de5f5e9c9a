import NMFKernels

/// Where the alternating loop stands: with W, everything the rest of the fit depends
/// on. A checkpoint stores it; a resumed run continues from it bit for bit.
struct LoopState<T: NMFScalar>: Sendable {
    /// Iterations complete.
    var iteration = 0
    var h: Matrix<T>
    var lossHistory: [Double] = []
    var iterationEndSeconds: [Double] = []
    var stopping: StoppingRule
    /// The stopping rule was met at `iteration` (a kept checkpoint of a finished run).
    var converged = false
    /// A pass that stopped part-way, to go on from.
    var pass: PartialPass?
    /// `anls`'s extrapolation of H, once its first iteration has ended.
    var extrapolation: HExtrapolation<T>?
}

/// The rows a pass had combined when it stopped, and its statistics so far in their
/// flat encoding (`PassStatistics`).
struct PartialPass: Sendable {
    var rowsDone: Int
    var statistics: [UInt8]
}

/// How the loop keeps checkpoints: when one is due, how to save it, and whether it
/// has been asked to stop.
struct LoopCheckpoints<T: NMFScalar> {
    /// Named in the error for a checkpoint whose pass does not fit the run.
    let directory: String
    let stopReason: () -> StopReason?
    let isDue: (_ iteration: Int) -> Bool
    let save: (LoopState<T>) throws -> Void
    /// Save the final state too (a kept checkpoint).
    let savesFinalState: Bool
}

/// The loop stopped on request after saving its state.
struct LoopStopped: Error {
    let reason: StopReason
    let state: (iteration: Int, rowsDone: Int)
}
