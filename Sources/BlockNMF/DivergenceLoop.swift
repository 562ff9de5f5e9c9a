import NMFKernels

/// The alternating loop for a β-divergence other than Frobenius (multiplicative update).
///
/// One pass over V per iteration, as for Frobenius: per tile, Wₜ·H gives Wₜ's update,
/// and Wₜ·H again with the new Wₜ gives the tile's shares of H's numerator and
/// denominator (`BetaTileUpdate`). The divergence has no identity in reduced sums, so
/// it is summed from the first product of the pass — the divergence of the factors the
/// pass started from. Like scikit-learn, the loop evaluates it for the initial factors
/// and every 10 iterations; the stopping rule's verdict on iterate i therefore comes
/// at the end of pass i + 1. Such a pass keeps W as it found it (`keepingPrevious`), so
/// a fit that stops at iterate i returns W and H of iterate i, as scikit-learn does.
/// Iterations whose divergence is not evaluated hold NaN in the loss history.
extension AlternatingEngine {
    /// scikit-learn's `mu` checks its stopping rule every 10 iterations.
    static var divergenceInterval: Int { 10 }

    func runDivergence(w: FactorRows<T>, state: inout LoopState<T>, clock: Stopwatch, secondsBefore: Double,
                       checkpoints: LoopCheckpoints<T>?) throws {
        let k = state.h.rows, n = state.h.columns
        let update = BetaMultiplicativeUpdate(loss: loss)
        let (penalty, updatesH, stopsEarly) = (penalties.w, self.updatesH, state.stopping.tolerance > 0)
        for iteration in (state.iteration + 1)...maxIterations {
            let passStart = clock.elapsedSeconds
            let resumedMidway = state.pass != nil
            var sums = state.pass.take() ?? PassSums(components: k, columns: n, updatesH: updatesH, loss: loss)
            let evaluated = iteration - 1
            let evaluates = evaluated % Self.divergenceInterval == 0
            let checksStop = evaluates && evaluated > 0 && stopsEarly
            let h = SampledFactor(state.h)
            let hRowSums = update.denominatorIsFactorSum ? BetaMultiplicativeUpdate.rowSums(state.h) : nil
            try streamPass(iteration: iteration, w: w, state: &state, sums: &sums, resumedMidway: resumedMidway,
                           keepingPrevious: checksStop, checkpoints: checkpoints,
                           compute: { wRows, tile in
                               BetaTileUpdate(tile: tile, w: wRows, h: h, hRowSums: hRowSums, update: update,
                                              penalty: penalty, updatesH: updatesH, evaluatesDivergence: evaluates)
                           },
                           newRows: { $0.w }, add: { $0.add($1, endingAt: $2) })
            CrashPoint.reach(.passEnd)

            if evaluates {
                let error = sums.divergence.reconstructionError(loss)
                if evaluated == 0 {
                    state.lossHistory = [error]
                } else {
                    state.lossHistory[evaluated] = error
                }
                let previous = Self.latestKnown(state.lossHistory[..<evaluated])?.value ?? error
                if checksStop && state.stopping.isSatisfied(iteration: evaluated, violation: 0, error: error,
                                                            initialError: state.lossHistory[0]) {
                    // Iterate `evaluated` is the result: this pass is undone.
                    try w.undoPass()
                    state.converged = true
                    let progress = IterationProgress(
                        iteration: evaluated, maxIterations: maxIterations, reconstructionError: error,
                        errorIteration: evaluated, previousError: previous, dataNorm: summary.squaredNorm.squareRoot(), loss: loss,
                        iterationSeconds: 0, elapsedSeconds: 0, isLast: true, stoppingTest: state.stopping.lastTest)
                    // Iterate `evaluated` ends now, with the undone pass's time.
                    state.iterationEndSeconds.removeLast()
                    _ = try finishIteration(evaluated, progress: progress, passStart: passStart,
                                            resumedMidway: resumedMidway, state: &state, clock: clock,
                                            secondsBefore: secondsBefore, checkpoints: checkpoints)
                    return
                }
            }
            w.endPass()
            if updatesH {
                let factorSum = update.denominatorIsFactorSum
                update.updateH(&state.h, numerator: sums.wtv, denominator: factorSum ? nil : sums.hDenominator,
                               wColumnSums: factorSum ? sums.hDenominator.elements : nil, penalty: penalties.h)
            }
            state.lossHistory.append(.nan)
            // Every divergence so far NaN: the initial factors' products overflowed.
            guard let known = Self.latestKnown(state.lossHistory[...]) else {
                throw NMFError.overflow(source: data.sourceDescription, precision: T.precisionName)
            }
            let before = Self.latestKnown(state.lossHistory[..<known.iteration])?.value ?? known.value
            let progress = IterationProgress(
                iteration: iteration, maxIterations: maxIterations, reconstructionError: known.value,
                errorIteration: known.iteration, previousError: before,
                dataNorm: summary.squaredNorm.squareRoot(), loss: loss, iterationSeconds: 0, elapsedSeconds: 0,
                isLast: iteration == maxIterations, stoppingTest: state.stopping.lastTest)
            if try finishIteration(iteration, progress: progress, passStart: passStart, resumedMidway: resumedMidway,
                                   state: &state, clock: clock, secondsBefore: secondsBefore,
                                   checkpoints: checkpoints) { break }
        }
    }

    /// The last evaluated entry of a loss history and its iteration.
    static func latestKnown(_ history: ArraySlice<Double>) -> (iteration: Int, value: Double)? {
        history.indices.last(where: { !history[$0].isNaN }).map { ($0, history[$0]) }
    }
}
