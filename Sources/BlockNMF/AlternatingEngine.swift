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
    /// The β-divergence minimized; other than Frobenius only with the multiplicative rule.
    let loss: BetaLoss
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
        if !(state.converged || state.iteration >= maxIterations) {
            if loss.isFrobenius {
                try runFrobenius(w: w, state: &state, clock: clock, secondsBefore: secondsBefore, checkpoints: checkpoints)
            } else {
                try runDivergence(w: w, state: &state, clock: clock, secondsBefore: secondsBefore, checkpoints: checkpoints)
            }
        }
        return Outcome(iterations: state.iteration, converged: state.converged, lossHistory: state.lossHistory,
                       iterationEndSeconds: state.iterationEndSeconds)
    }

    private func runFrobenius(w: FactorRows<T>, state: inout LoopState<T>, clock: Stopwatch, secondsBefore: Double,
                              checkpoints: LoopCheckpoints<T>?) throws {
        let k = state.h.rows, n = state.h.columns
        var hht = state.h.gram(of: .rows)
        for iteration in (state.iteration + 1)...maxIterations {
            let passStart = clock.elapsedSeconds
            let resumedMidway = state.pass != nil
            var sums = state.pass.take() ?? PassSums(components: k, columns: n, updatesH: updatesH)
            let (currentH, currentHHt, rule, penalty, updatesH) = (state.h, hht, self.rule, penalties.w, self.updatesH)
            let transposedH = state.h.transposed()
            let firstIteration = iteration == 1
            try streamPass(iteration: iteration, w: w, state: &state, sums: &sums, resumedMidway: resumedMidway,
                           keepingPrevious: false, checkpoints: checkpoints,
                           compute: { wRows, tile in
                               TileUpdate(tile: tile, w: wRows, h: currentH, ht: transposedH, hht: currentHHt, rule: rule,
                                          penalty: penalty, updatesH: updatesH, firstIteration: firstIteration)
                           },
                           newRows: { $0.w }, add: { $0.add($1, endingAt: $2) })
            w.endPass()
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
            state.converged = state.stopping.isSatisfied(iteration: iteration, violation: sums.violation,
                                                         error: error, initialError: state.lossHistory[0])
            let progress = IterationProgress(
                iteration: iteration, maxIterations: maxIterations, reconstructionError: error,
                errorIteration: iteration, previousError: previousError,
                dataNorm: summary.squaredNorm.squareRoot(), loss: loss, iterationSeconds: 0, elapsedSeconds: 0,
                isLast: state.converged || iteration == maxIterations, stoppingTest: state.stopping.lastTest)
            if try finishIteration(iteration, progress: progress, passStart: passStart, resumedMidway: resumedMidway,
                                   state: &state, clock: clock, secondsBefore: secondsBefore,
                                   checkpoints: checkpoints) { break }
        }
    }

    /// One pass over V's tiles from where `sums` stands: each tile's new rows of W are
    /// written and its partials added in tile order. A stop request saves the state
    /// with the pass's sums (in mid-pass) and ends the loop.
    func streamPass<Update: Sendable>(
        iteration: Int, w: FactorRows<T>, state: inout LoopState<T>, sums: inout PassSums<T>, resumedMidway: Bool,
        keepingPrevious: Bool, checkpoints: LoopCheckpoints<T>?,
        compute: @escaping @Sendable (Matrix<T>, MatrixRows<T>) -> Update,
        newRows: (Update) -> Matrix<T>, add: (inout PassSums<T>, Update, Int) -> Void
    ) throws {
        try w.beginPass(continuing: resumedMidway, keepingPrevious: keepingPrevious)
        do {
            try TilePass(data: data, threads: threads).run(
                from: sums.rowsDone,
                prepare: { range in try w.read(range) },
                compute: compute,
                combine: { range, update in
                    if let reason = checkpoints?.stopReason() {
                        throw LoopStopped(reason: reason, state: (iteration - 1, range.lowerBound))
                    }
                    try w.write(newRows(update), at: range.lowerBound)
                    add(&sums, update, range.upperBound)
                    CrashPoint.reach(.midPass)
                })
        } catch let stopped as LoopStopped {
            if stopped.state.rowsDone > 0 { state.pass = sums }
            try checkpoints?.save(state)
            throw stopped
        }
    }

    /// What every iteration ends with: its time, progress, and a checkpoint when one is
    /// due or a stop was asked for. Returns whether the loop ends here.
    func finishIteration(_ iteration: Int, progress: IterationProgress, passStart: Double, resumedMidway: Bool,
                         state: inout LoopState<T>, clock: Stopwatch, secondsBefore: Double,
                         checkpoints: LoopCheckpoints<T>?) throws -> Bool {
        let now = clock.elapsedSeconds
        state.iterationEndSeconds.append(secondsBefore + now)
        state.iteration = iteration
        var timed = progress
        timed.iterationSeconds = now - passStart
        timed.elapsedSeconds = secondsBefore + now
        onIteration?(timed)
        if progress.isLast {
            if let checkpoints, checkpoints.savesFinalState { try checkpoints.save(state) }
            return true
        }
        if let checkpoints {
            let reason = checkpoints.stopReason()
            // A pass resumed part-way leaves the checkpoint's rows in both buffers:
            // a new checkpoint frees one before the next pass writes.
            if reason != nil || resumedMidway || checkpoints.isDue(iteration) { try checkpoints.save(state) }
            if let reason { throw LoopStopped(reason: reason, state: (iteration, 0)) }
        }
        return false
    }
}
