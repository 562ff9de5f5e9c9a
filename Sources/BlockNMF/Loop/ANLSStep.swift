import NMFKernels

/// `anls`'s fit step: the Frobenius pass (`FrobeniusTile`, `FrobeniusStatistics`) with the
/// exact rule (`UpdateScheme.exactLeastSquares`): per tile, Wₜ's rows are the exact NNLS
/// solutions for (H·Hᵀ, Vₜ·Hᵀ), warm-started from their support; after the pass, H is the
/// exact solution for (WᵀW, WᵀV). The loss comes from the identity, as for `FrobeniusFit`.
///
/// The rule reports unsolved problems through the pass's violation, and a pass with any is
/// refused (`NMFError.leastSquaresNotConverged`; `overflow` when the products were not
/// finite), so a fit never keeps an inexact or NaN factor. The stopping rule is handed the
/// objective instead (`StoppingRule`, `anls`).
///
/// The objective is scikit-learn's: ½‖V − WH‖² + l1·ΣW + ½·l2·‖W‖² + H's terms. H's terms come
/// from H; W's L2 term from tr(WᵀW). ΣW is not summed by the pass, but W's rows are exact
/// solutions, whose optimality conditions give wᵀ·∇ = 0 per row, hence
/// l1·ΣW = ⟨WᵀV, H₀⟩ − ⟨WᵀW, H₀H₀ᵀ⟩ − l2·tr(WᵀW), with H₀ the H the pass began with.
struct ANLSFit<T: NMFScalar>: FrobeniusStep {
    typealias Statistics = FrobeniusStatistics<T>
    typealias Tile = FrobeniusTile<T>

    let context: StepContext
    let hPenalty: Penalty
    private(set) var hht: Matrix<T>
    var rule: UpdateScheme { .exactLeastSquares }
    static var learnsH: Bool { true }
    /// Problems the last pass's solves left unsolved (infinity: products not finite).
    private var unsolved = 0.0

    init(context: StepContext, hPenalty: Penalty, h: Matrix<T>) {
        (self.context, self.hPenalty) = (context, hPenalty)
        hht = h.gram(of: .rows)
    }

    mutating func finish(_ statistics: Statistics, h: inout Matrix<T>) -> (residualSquared: Double, violation: Double) {
        let wPenalty = context.wPenalty
        let wtwTrace = (0..<statistics.wtw.rows).reduce(0.0) { $0 + Double(statistics.wtw[$1, $1]) }
        var wTerms = 0.5 * wPenalty.l2 * wtwTrace
        if wPenalty.l1 != 0 {
            wTerms += statistics.wtv.frobeniusInner(h) - statistics.wtw.frobeniusInner(hht) - wPenalty.l2 * wtwTrace
        }
        unsolved = statistics.violation
        unsolved += rule.updateH(&h, cross: statistics.wtv, gram: statistics.wtw, penalty: hPenalty)
        hht = h.gram(of: .rows)
        let residual = FrobeniusLoss.residualSquared(
            dataSquaredNorm: context.dataSquaredNorm, wtv: statistics.wtv, wtw: statistics.wtw, h: h, hht: hht)
        let hTerms = h.elements.reduce(0.0) { $0 + hPenalty.l1 * Double($1) + 0.5 * hPenalty.l2 * Double($1) * Double($1) }
        return (residual, 0.5 * residual + wTerms + hTerms)
    }

    func check(violation _: Double, iteration: Int) throws {
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
        finishWithFixedH(statistics)
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
