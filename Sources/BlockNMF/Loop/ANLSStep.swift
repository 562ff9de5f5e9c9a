import NMFKernels

/// `anls`'s fit step: the Frobenius pass (`FrobeniusTile`, `FrobeniusStatistics`) with the
/// exact rule (`UpdateScheme.exactLeastSquares`): per tile, Wₜ's rows are the exact NNLS
/// solutions for (H·Hᵀ, Vₜ·Hᵀ), warm-started from their support; after the pass, H is the
/// exact solution for (WᵀW, WᵀV). The loss comes from the identity, as for `FrobeniusFit`.
///
/// The rule reports unsolved problems through the pass's violation, and a pass with any is
/// refused (`NMFError.leastSquaresNotConverged`; `overflow` when the products were not
/// finite), so a fit never keeps an inexact or NaN factor.
struct ANLSFit<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    let hPenalty: Penalty
    private(set) var hht: Matrix<T>
    var rule: UpdateScheme { .exactLeastSquares }
    static var learnsH: Bool { true }

    init(context: StepContext, hPenalty: Penalty, h: Matrix<T>) {
        (self.context, self.hPenalty) = (context, hPenalty)
        hht = h.gram(of: .rows)
    }

    mutating func finish(_ statistics: Statistics, h: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        var unsolved = statistics.violation
        unsolved += rule.updateH(&h, cross: statistics.wtv, gram: statistics.wtw, penalty: hPenalty)
        hht = h.gram(of: .rows)
        let residual = FrobeniusLoss.residualSquared(
            dataSquaredNorm: context.dataSquaredNorm, wtv: statistics.wtv, wtw: statistics.wtw, h: h, hht: hht)
        return (residual, unsolved)
    }

    func check(violation unsolved: Double, iteration: Int) throws {
        try ExactSolveCheck.check(unsolved: unsolved, iteration: iteration, source: context.source, precision: T.self)
    }
}

/// `transform` with an `anls` model: W's rows are the exact NNLS solutions for the fixed H,
/// so the first pass is the result and the fit stops there (converged).
struct ANLSTransform<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    /// H·Hᵀ of the fixed H.
    let hht: Matrix<T>
    var rule: UpdateScheme { .exactLeastSquares }
    static var learnsH: Bool { false }

    func finish(_ statistics: Statistics, h _: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        let residual = FrobeniusLoss.residualSquared(
            dataSquaredNorm: context.dataSquaredNorm, cross: statistics.dataCross,
            gram: statistics.wtw.frobeniusInner(hht))
        return (residual, statistics.violation)
    }

    func check(violation unsolved: Double, iteration: Int) throws {
        try ExactSolveCheck.check(unsolved: unsolved, iteration: iteration, source: context.source, precision: T.self)
    }

    mutating func endPass(iteration: Int, statistics: Statistics, state: inout LoopState<T>) throws -> PassEnd {
        let end = try frobeniusEndPass(iteration: iteration, statistics: statistics, state: &state)
        guard iteration == 1, case .kept(let progress) = end else { return end }
        state.converged = true
        return .kept(context.progress(iteration: iteration, error: progress.reconstructionError,
                                      errorIteration: iteration, previousError: progress.previousError,
                                      isLast: true, stoppingTest: progress.stoppingTest))
    }
}

/// What an exact step does with the unsolved count its rule reported.
enum ExactSolveCheck {
    static func check<T: NMFScalar>(unsolved: Double, iteration: Int, source: String, precision _: T.Type) throws {
        guard unsolved.isFinite else { throw NMFError.overflow(source: source, precision: T.precisionName) }
        if unsolved > 0 {
            throw NMFError.leastSquaresNotConverged(source: source, iteration: iteration, unsolved: Int(unsolved))
        }
    }
}
