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
    /// The sums of a pass that stopped part-way, to go on from.
    var pass: PassSums<T>?
}

/// The sums one pass over V accumulates, tile by tile in tile order.
struct PassSums<T: NMFScalar>: Sendable {
    /// Tiles (rows) combined so far.
    var rowsDone = 0
    /// Wᵀ·V, or for a β-divergence H's numerator Wᵀ·[V ⊙ (W·H)^(β−2)].
    var wtv: Matrix<T>
    var wtw: Matrix<T>
    var violation = 0.0
    var dataCross = 0.0
    var initialCross = 0.0
    var initialGram: Matrix<T>
    /// A β-divergence's H denominator: Wᵀ·(W·H)^(β−1) (k×n), W's column sums (k×1) for
    /// Kullback-Leibler; empty for Frobenius or when H is fixed.
    var hDenominator: Matrix<T>
    /// A β-divergence of the factors the pass started from, on the passes that evaluate it.
    var divergence = DivergenceSums()

    init(components k: Int, columns n: Int, updatesH: Bool, loss: BetaLoss = .frobenius) {
        wtv = Matrix(rows: k, columns: updatesH ? n : 0)
        wtw = Matrix(rows: k, columns: k)
        initialGram = Matrix(rows: k, columns: k)
        let denominatorColumns = loss.isFrobenius || !updatesH ? 0 : loss.beta == 1 ? 1 : n
        hDenominator = Matrix(rows: k, columns: denominatorColumns)
    }

    init(rowsDone: Int, wtv: Matrix<T>, wtw: Matrix<T>, violation: Double, dataCross: Double,
         initialCross: Double, initialGram: Matrix<T>, hDenominator: Matrix<T>, divergence: DivergenceSums) {
        self.hDenominator = hDenominator
        self.divergence = divergence
        self.rowsDone = rowsDone
        self.wtv = wtv
        self.wtw = wtw
        self.violation = violation
        self.dataCross = dataCross
        self.initialCross = initialCross
        self.initialGram = initialGram
    }

    mutating func add(_ update: TileUpdate<T>, endingAt row: Int) {
        if wtv.columns > 0 { update.wtv.add(into: &wtv) }
        wtw.add(update.wtw)
        violation += update.violation
        dataCross += update.dataCross
        initialCross += update.initialCross
        if let gram = update.initialGram { initialGram.add(gram) }
        rowsDone = row
    }

    mutating func add(_ update: BetaTileUpdate<T>, endingAt row: Int) {
        if wtv.columns > 0 { update.hNumerator.add(into: &wtv) }
        if hDenominator.columns > 0 { hDenominator.add(update.hDenominator) }
        if let tileDivergence = update.divergence { divergence.add(tileDivergence) }
        rowsDone = row
    }
}

/// How the loop keeps checkpoints: when one is due, how to save it, and whether it
/// has been asked to stop.
struct LoopCheckpoints<T: NMFScalar> {
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
