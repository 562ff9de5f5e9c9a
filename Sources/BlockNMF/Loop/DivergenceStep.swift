import NMFKernels

/// What the β-divergence steps (β ≠ 2, multiplicative update) share.
///
/// The divergence has no identity in reduced sums, so it is summed from the first
/// product of a pass: the divergence of the factors the pass started from. Like
/// scikit-learn, it is evaluated for the initial factors and at the stopping rule's
/// cadence (every 10th iterate); the rule's verdict on iterate i therefore comes at the
/// end of pass i + 1. Such a pass may be undone, so a fit that stops at iterate i returns
/// W and H of iterate i, as scikit-learn does. Iterations whose divergence is not
/// evaluated hold NaN in the loss history.
protocol DivergenceStep: AlternatingStep
where Statistics == DivergenceStatistics<T>, Tile == DivergenceTile<T> {
    var context: StepContext { get }
    var update: BetaMultiplicativeUpdate { get }
    /// Whether passes sum H's numerator and denominator (H is learned).
    static var learnsH: Bool { get }

    /// Updates H from a kept pass's statistics, if the step learns it.
    func updateH(_ h: inout Matrix<T>, from statistics: Statistics)
}

extension DivergenceStep {
    /// The iterate pass `iteration` evaluates, if it evaluates one.
    private func evaluated(by iteration: Int) -> Int? {
        (iteration - 1) % context.cadence == 0 ? iteration - 1 : nil
    }

    func beginPass(iteration: Int, h: Matrix<T>) -> PassWork<Tile, Statistics> {
        let evaluated = evaluated(by: iteration)
        let tile = DivergenceTile(h: SampledFactor(h),
                                  hRowSums: update.denominatorIsFactorSum ? BetaMultiplicativeUpdate.rowSums(h) : nil,
                                  update: update, penalty: context.wPenalty, sumsHShares: Self.learnsH,
                                  evaluatesDivergence: evaluated != nil)
        return PassWork(tile: tile, empty: Statistics(components: h.rows, columns: h.columns, loss: context.loss,
                                                      sumsHShares: Self.learnsH),
                        mayBeUndone: context.stopsEarly && (evaluated ?? 0) > 0)
    }

    func endPass(iteration: Int, statistics: Statistics, state: inout LoopState<T>) throws -> PassEnd {
        if let evaluated = evaluated(by: iteration) {
            let error = statistics.divergence.reconstructionError(context.loss)
            if evaluated == 0 {
                state.lossHistory = [error]
            } else {
                state.lossHistory[evaluated] = error
            }
            let previous = Self.latestKnown(state.lossHistory[..<evaluated])?.value ?? error
            if context.stopsEarly && evaluated > 0 && state.stopping.isSatisfied(
                iteration: evaluated, violation: 0, error: error, initialError: state.lossHistory[0]) {
                return .undone(context.progress(iteration: evaluated, error: error, errorIteration: evaluated,
                                                previousError: previous, isLast: true,
                                                stoppingTest: state.stopping.lastTest))
            }
        }
        updateH(&state.h, from: statistics)
        state.lossHistory.append(.nan)
        // Every divergence so far NaN: the initial factors' products overflowed.
        guard let known = Self.latestKnown(state.lossHistory[...]) else {
            throw NMFError.overflow(source: context.source, precision: T.precisionName)
        }
        let before = Self.latestKnown(state.lossHistory[..<known.iteration])?.value ?? known.value
        return .kept(context.progress(iteration: iteration, error: known.value, errorIteration: known.iteration,
                                      previousError: before, isLast: iteration == context.maxIterations,
                                      stoppingTest: state.stopping.lastTest))
    }

    /// A fit that ends on an evaluated iterate: scikit-learn evaluates that iterate too,
    /// and the final pass has just measured its divergence.
    mutating func completeHistory(finalError: Double, state: inout LoopState<T>) {
        guard let last = state.lossHistory.indices.last, last % context.cadence == 0, state.lossHistory[last].isNaN else {
            return
        }
        state.lossHistory[last] = finalError
        state.converged = state.converged || state.stopping.isSatisfied(
            iteration: last, violation: 0, error: finalError, initialError: state.lossHistory[0])
    }

    /// The last evaluated entry of a loss history and its iteration.
    static func latestKnown(_ history: ArraySlice<Double>) -> (iteration: Int, value: Double)? {
        history.indices.last(where: { !history[$0].isNaN }).map { ($0, history[$0]) }
    }
}

/// A fit's β-divergence step: W's rows per tile, then H ← H ⊙ (N ⊘ (M + penalties))^γ
/// from the pass's sums.
struct DivergenceFit<T: NMFScalar>: DivergenceStep {
    typealias Statistics = DivergenceStatistics<T>
    typealias Tile = DivergenceTile<T>

    let context: StepContext
    let update: BetaMultiplicativeUpdate
    let hPenalty: Penalty
    static var learnsH: Bool { true }

    init(context: StepContext, hPenalty: Penalty) {
        (self.context, self.hPenalty) = (context, hPenalty)
        update = BetaMultiplicativeUpdate(loss: context.loss)
    }

    func updateH(_ h: inout Matrix<T>, from statistics: Statistics) {
        let factorSum = update.denominatorIsFactorSum
        update.updateH(&h, numerator: statistics.numerator, denominator: factorSum ? nil : statistics.denominator,
                       wColumnSums: factorSum ? statistics.denominator.elements : nil, penalty: hPenalty)
    }
}

/// `transform`'s β-divergence step: W's rows for a fixed H.
struct DivergenceTransform<T: NMFScalar>: DivergenceStep {
    typealias Statistics = DivergenceStatistics<T>
    typealias Tile = DivergenceTile<T>

    let context: StepContext
    var update: BetaMultiplicativeUpdate { BetaMultiplicativeUpdate(loss: context.loss) }
    static var learnsH: Bool { false }

    func updateH(_: inout Matrix<T>, from _: Statistics) {}
}
