import NMFKernels

/// The single alternating loop every solver shares (scikit-learn's order: W, then H).
///
/// Per iteration, one pass over V:
///
///     G = H·Hᵀ                                  once
///     per tile t:   Pₜ = Vₜ·Hᵀ;  update Wₜ from Pₜ, G;  Aₜ = Wₜᵀ·Vₜ;  Bₜ = Wₜᵀ·Wₜ
///     A = Σ Aₜ,  B = Σ Bₜ                       in tile order
///     update H from A, B;  loss = ‖V‖² − 2⟨A, H⟩ + ⟨B, H·Hᵀ⟩
///
/// Tiles run on `threads` workers; their partials are added in tile order, so the
/// result is the same for any thread count and any block size (`TileSchedule`), and
/// a pass stopped after any tile and resumed from its sums (`LoopState`) ends the same.
struct AlternatingEngine<Data: RowBlockProvider> {
    typealias T = Data.Element

    let data: Data
    let summary: DataSummary
    let rule: UpdateScheme
    let penalties: (w: Penalty, h: Penalty)
    let maxIterations: Int
    /// false for `transform`: H is fixed, only W is solved for.
    let updatesH: Bool
    let threads: Int
    let onIteration: ((IterationProgress) -> Void)?

    struct Outcome {
        var iterations: Int
        var converged: Bool
        var lossHistory: [Double]
        var iterationEndSeconds: [Double]
    }

    /// Runs from `state` (a fresh one, or one restored from a checkpoint) to the end.
    /// `secondsBefore`: time the fit spent before this process took it up.
    func run(w: FactorRows<T>, state: inout LoopState<T>, clock: Stopwatch, secondsBefore: Double = 0,
             checkpoints: LoopCheckpoints<T>? = nil) throws -> Outcome {
        let k = state.h.rows, n = state.h.columns
        var hht = state.h.gram(of: .rows)
        let pass = TilePass(data: data, threads: threads)
        func outcome() -> Outcome {
            Outcome(iterations: state.iteration, converged: state.converged, lossHistory: state.lossHistory,
                    iterationEndSeconds: state.iterationEndSeconds)
        }
        if state.converged || state.iteration >= maxIterations { return outcome() }

        for iteration in (state.iteration + 1)...maxIterations {
            let passStart = clock.elapsedSeconds
            let resumedMidway = state.pass != nil
            var sums = state.pass.take() ?? PassSums(components: k, columns: n, updatesH: updatesH)
            let (currentH, currentHHt, rule, penalty, updatesH) = (state.h, hht, self.rule, penalties.w, self.updatesH)
            let firstIteration = iteration == 1
            w.buffers?.beginPass(continuing: resumedMidway)

            do {
                try pass.run(
                    from: sums.rowsDone,
                    prepare: { range in try w.read(range) },
                    compute: { wRows, tile in
                        TileUpdate(tile: tile, w: wRows, h: currentH, hht: currentHHt, rule: rule,
                                   penalty: penalty, updatesH: updatesH, firstIteration: firstIteration)
                    },
                    combine: { range, update in
                        if let reason = checkpoints?.stopReason() { throw LoopStopped(reason: reason, state: (iteration - 1, range.lowerBound)) }
                        try w.write(update.w, at: range.lowerBound)
                        sums.add(update, endingAt: range.upperBound)
                        CrashPoint.reach(.midPass)
                    })
            } catch let stopped as LoopStopped {
                if stopped.state.rowsDone > 0 { state.pass = sums }
                try checkpoints?.save(state)
                throw stopped
            }
            w.buffers?.endPass()
            CrashPoint.reach(.passEnd)

            if firstIteration {
                let initial = FrobeniusLoss.residualSquared(
                    dataSquaredNorm: summary.squaredNorm, cross: sums.initialCross,
                    gram: sums.initialGram.frobeniusInner(hht))
                state.lossHistory.append(initial.squareRoot())
            }

            let residual: Double
            if updatesH {
                sums.violation += rule.updateH(&state.h, cross: sums.wtv, gram: sums.wtw, penalty: penalties.h)
                hht = state.h.gram(of: .rows)
                residual = FrobeniusLoss.residualSquared(
                    dataSquaredNorm: summary.squaredNorm, wtv: sums.wtv, wtw: sums.wtw, h: state.h, hht: hht)
            } else {
                residual = FrobeniusLoss.residualSquared(
                    dataSquaredNorm: summary.squaredNorm, cross: sums.dataCross,
                    gram: sums.wtw.frobeniusInner(hht))
            }
            let error = residual.squareRoot()
            let previousError = state.lossHistory[state.lossHistory.count - 1]
            state.lossHistory.append(error)
            let now = clock.elapsedSeconds
            state.iterationEndSeconds.append(secondsBefore + now)
            state.iteration = iteration
            state.converged = state.stopping.isSatisfied(iteration: iteration, violation: sums.violation,
                                                         error: error, initialError: state.lossHistory[0])
            let isLast = state.converged || iteration == maxIterations
            onIteration?(IterationProgress(iteration: iteration, maxIterations: maxIterations,
                                           reconstructionError: error, previousError: previousError,
                                           dataNorm: summary.squaredNorm.squareRoot(),
                                           iterationSeconds: now - passStart, elapsedSeconds: secondsBefore + now,
                                           isLast: isLast))
            if isLast {
                if let checkpoints, checkpoints.savesFinalState { try checkpoints.save(state) }
                break
            }
            if let checkpoints {
                let reason = checkpoints.stopReason()
                // A pass resumed part-way leaves the checkpoint's rows in both buffers:
                // a new checkpoint frees one before the next pass writes.
                if reason != nil || resumedMidway || checkpoints.isDue(iteration) { try checkpoints.save(state) }
                if let reason { throw LoopStopped(reason: reason, state: (iteration, 0)) }
            }
        }
        return outcome()
    }
}
