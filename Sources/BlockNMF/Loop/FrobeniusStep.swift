import NMFKernels

/// What the Frobenius steps share: the tile work, the initial loss from the first pass,
/// and the error, stopping rule and progress of each iteration. The error comes from
/// the pass's sums (the loss identity), so every iteration knows it.
protocol FrobeniusStep: AlternatingStep
where Statistics == FrobeniusStatistics<T>, Tile == FrobeniusTile<T> {
    var context: StepContext { get }
    var rule: UpdateScheme { get }
    /// H·Hᵀ of the H the next pass starts from.
    var hht: HGram<T> { get }
    /// Whether passes sum Wᵀ·V (H is learned).
    static var learnsH: Bool { get }

    /// After the pass: H (if learned) and the squared residual of the new iterate, with
    /// the violation the stopping rule sees.
    mutating func finish(_ statistics: Statistics, h: inout Matrix<T>) -> (residualSquared: Double, violation: Double)

    /// Refuses a pass whose update rule reported a failure through its violation (`anls`:
    /// unsolved least-squares problems); other steps accept every pass.
    func check(violation: Double, iteration: Int) throws
}

extension FrobeniusStep {
    func beginPass(iteration: Int, h: Matrix<T>) -> PassWork<Tile, Statistics> {
        passWork(iteration: iteration, solvingAgainst: h)
    }

    /// A pass that updates W's rows against `h` (`hht` is its H·Hᵀ).
    func passWork(iteration: Int, solvingAgainst h: Matrix<T>) -> PassWork<Tile, Statistics> {
        let tile = FrobeniusTile(h: h, ht: h.transposed(), hht: hht.inT, rule: rule, penalty: context.wPenalty,
                                 sumsDataProduct: Self.learnsH, measuresInitialLoss: iteration == 1)
        return PassWork(tile: tile, empty: Statistics(components: h.rows, columns: h.columns,
                                                      sumsDataProduct: Self.learnsH),
                        mayBeUndone: false)
    }

    func check(violation _: Double, iteration _: Int) throws {}

    /// A transform's pass end: H stays, and the loss comes from ⟨V, W·H⟩ and Wᵀ·W.
    func finishWithFixedH(_ statistics: Statistics) -> (residualSquared: Double, violation: Double) {
        let residual = FrobeniusLoss.residualSquared(
            dataSquaredNorm: context.dataSquaredNorm, cross: statistics.dataCross,
            gram: statistics.wtw.frobeniusInner(hht.inDouble))
        return (residual, statistics.violation)
    }

    mutating func endPass(iteration: Int, statistics: Statistics, state: inout LoopState<T>) throws -> PassEnd {
        try frobeniusEndPass(iteration: iteration, statistics: statistics, state: &state)
    }

    /// The Frobenius bookkeeping of a pass's end: the initial loss (first pass), H and the
    /// loss of the new iterate, the stopping rule and the progress.
    mutating func frobeniusEndPass(iteration: Int, statistics: Statistics, state: inout LoopState<T>) throws -> PassEnd {
        if iteration == 1 {
            let initial = FrobeniusLoss.residualSquared(
                dataSquaredNorm: context.dataSquaredNorm, cross: statistics.initialCross,
                gram: statistics.initialGram.frobeniusInner(hht.inDouble))
            state.lossHistory.append(initial.squareRoot())
        }
        let (residual, violation) = finish(statistics, h: &state.h)
        try check(violation: violation, iteration: iteration)
        let error = residual.squareRoot()
        let previousError = state.lossHistory[state.lossHistory.count - 1]
        state.lossHistory.append(error)
        state.converged = state.stopping.isSatisfied(iteration: iteration, violation: violation, error: error,
                                                     initialError: state.lossHistory[0])
        return .kept(context.progress(iteration: iteration, error: error, errorIteration: iteration,
                                      previousError: previousError,
                                      isLast: state.converged || iteration == context.maxIterations,
                                      stoppingTest: state.stopping.lastTest))
    }
}

/// A fit's Frobenius step: W's rows per tile, then H from the pass's Wᵀ·V and Wᵀ·W,
/// by the solver's rule (`mu`, `cd`, `hals`).
struct FrobeniusFit<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    let rule: UpdateScheme
    let hPenalty: Penalty
    private(set) var hht: HGram<T>
    static var learnsH: Bool { true }

    init(context: StepContext, rule: UpdateScheme, hPenalty: Penalty, h: Matrix<T>) {
        (self.context, self.rule, self.hPenalty) = (context, rule, hPenalty)
        hht = HGram(h)
    }

    mutating func finish(_ statistics: Statistics, h: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        var violation = statistics.violation
        violation += rule.updateH(&h, summedCross: statistics.wtv, summedGram: statistics.wtw, penalty: hPenalty)
        hht = HGram(h)
        let residual = FrobeniusLoss.residualSquared(
            dataSquaredNorm: context.dataSquaredNorm, wtv: statistics.wtv, wtw: statistics.wtw, h: h,
            hht: hht.inDouble)
        return (residual, violation)
    }
}

/// `transform`'s Frobenius step: W's rows for a fixed H; the loss from ⟨V, W·H⟩ and Wᵀ·W.
struct FrobeniusTransform<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    let rule: UpdateScheme
    /// H·Hᵀ of the fixed H.
    let hht: HGram<T>
    static var learnsH: Bool { false }

    func finish(_ statistics: Statistics, h _: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        finishWithFixedH(statistics)
    }
}
