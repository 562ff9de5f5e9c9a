import NMFKernels

/// `anls`'s fit step: the Frobenius pass (`FrobeniusTile`, `FrobeniusStatistics`) with the
/// exact rule (`UpdateScheme.exactLeastSquares`): per tile, Wₜ's rows are the exact NNLS
/// solutions for (Ĥ·Ĥᵀ, Vₜ·Ĥᵀ), warm-started from their support, where Ĥ is H extrapolated
/// (`HExtrapolation`); after the pass, H is the exact solution for (WᵀW, WᵀV). The loss comes
/// from the identity, as for `FrobeniusFit`.
///
/// The rule reports unsolved problems through the pass's violation, and a pass with any is
/// refused (`NMFError.leastSquaresNotConverged`; `overflow` when the products were not
/// finite), so a fit never keeps an inexact or NaN factor. The stopping rule is handed the
/// objective instead (`StoppingRule`, `anls`).
///
/// The objective is scikit-learn's: ½‖V − WH‖² + l1·ΣW + ½·l2·‖W‖² + H's terms. H's terms come
/// from H; W's L2 term from tr(WᵀW). ΣW is not summed by the pass, but W's rows are exact
/// solutions, whose optimality conditions give wᵀ·∇ = 0 per row, hence
/// l1·ΣW = ⟨WᵀV, Ĥ⟩ − ⟨WᵀW, ĤĤᵀ⟩ − l2·tr(WᵀW), with Ĥ the H the pass solved W against.
struct ANLSFit<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    let hPenalty: Penalty
    /// H·Hᵀ of the H the next pass solves W against (Ĥ when extrapolated).
    private(set) var hht: HGram<T>
    var rule: UpdateScheme { .exactLeastSquares }
    static var learnsH: Bool { true }
    /// Problems the last pass's solves left unsolved (infinity: products not finite).
    private var unsolved = 0.0
    private var extrapolation: HExtrapolation<T>

    /// `state`: where the loop starts (H, and the extrapolation of a resumed fit).
    init(context: StepContext, hPenalty: Penalty, state: LoopState<T>) {
        (self.context, self.hPenalty) = (context, hPenalty)
        extrapolation = state.extrapolation ?? HExtrapolation()
        hht = HGram(extrapolation.start ?? state.h)
    }

    func beginPass(iteration: Int, h: Matrix<T>) -> PassWork<Tile, Statistics> {
        passWork(iteration: iteration, solvingAgainst: extrapolation.start ?? h)
    }

    mutating func endPass(iteration: Int, statistics: Statistics, state: inout LoopState<T>) throws -> PassEnd {
        let end = try frobeniusEndPass(iteration: iteration, statistics: statistics, state: &state)
        state.extrapolation = extrapolation
        return end
    }

    mutating func finish(_ statistics: Statistics, h: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        let wPenalty = context.wPenalty
        let passH = extrapolation.start ?? h
        let wtwTrace = (0..<statistics.wtw.rows).reduce(0.0) { $0 + statistics.wtw[$1, $1] }
        var wTerms = 0.5 * wPenalty.l2 * wtwTrace
        if wPenalty.l1 != 0 {
            wTerms += statistics.wtv.frobeniusInner(passH) - statistics.wtw.frobeniusInner(hht.inDouble)
                - wPenalty.l2 * wtwTrace
        }
        let previous = h
        unsolved = statistics.violation
        unsolved += rule.updateH(&h, summedCross: statistics.wtv, summedGram: statistics.wtw, penalty: hPenalty)
        let solved = HGram(h)
        let residual = FrobeniusLoss.residualSquared(
            dataSquaredNorm: context.dataSquaredNorm, wtv: statistics.wtv, wtw: statistics.wtw, h: h,
            hht: solved.inDouble)
        let hTerms = h.elements.reduce(0.0) { $0 + hPenalty.l1 * Double($1) + 0.5 * hPenalty.l2 * Double($1) * Double($1) }
        let objective = 0.5 * residual + wTerms + hTerms
        extrapolation.advance(from: previous, to: h, objective: objective)
        hht = extrapolation.start.map { HGram($0) } ?? solved
        return (residual, objective)
    }

    func check(violation _: Double, iteration: Int) throws {
        try ExactSolveCheck.check(unsolved: unsolved, iteration: iteration, source: context.source, precision: T.self)
    }

    func finalError(of state: LoopState<T>) -> Double? {
        ExactSolveCheck.finalError(of: state, context: context)
    }
}

/// `transform` with an `anls` model: W's rows are the exact NNLS solutions for the fixed H,
/// so the first pass is the result and the fit stops there (converged).
struct ANLSTransform<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    /// H·Hᵀ of the fixed H.
    let hht: HGram<T>
    var rule: UpdateScheme { .exactLeastSquares }
    static var learnsH: Bool { false }

    func finish(_ statistics: Statistics, h _: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        finishWithFixedH(statistics)
    }

    func check(violation unsolved: Double, iteration: Int) throws {
        try ExactSolveCheck.check(unsolved: unsolved, iteration: iteration, source: context.source, precision: T.self)
    }

    func finalError(of state: LoopState<T>) -> Double? {
        ExactSolveCheck.finalError(of: state, context: context)
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

/// What an exact step does with the unsolved count its rule reported, and how it knows
/// its final error.
enum ExactSolveCheck {
    /// The last pass's error, from the loss identity ‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩: the final
    /// factors' own, as nothing moves after the pass (H solved after W; or H fixed). Unless
    /// the identity's rounding may spoil it: the sums' worst-case rounding
    /// (`StepContext.identityRounding`, relative to ‖V‖²) times ‖V‖², and the squared error
    /// must exceed that `identityMargin` times over. In float64 it nearly always does; in
    /// float32 for relative errors above about 5.5 % (a fit's 256-row tiles), and a pass measures the rest.
    static func finalError<T: NMFScalar>(of state: LoopState<T>, context: StepContext) -> Double? {
        guard state.iteration > 0, let error = state.lossHistory.last, error.isFinite else { return nil }
        let rounding = context.identityRounding * context.dataSquaredNorm
        return error * error >= identityMargin * rounding ? error : nil
    }

    static let identityMargin = 100.0

    static func check<T: NMFScalar>(unsolved: Double, iteration: Int, source: String, precision _: T.Type) throws {
        guard unsolved.isFinite else { throw NMFError.overflow(source: source, precision: T.precisionName) }
        if unsolved > 0 {
            throw NMFError.leastSquaresNotConverged(source: source, iteration: iteration, unsolved: Int(unsolved))
        }
    }
}
