import NMFKernels

/// The one alternating loop every fit and transform runs (scikit-learn's order: W, then H).
///
/// Per iteration, one pass over V: each tile's rows of W are updated by the step's
/// `TileStep` on a worker, written back and its share added to the pass's statistics in
/// tile order; the statistics are combined across processes (`Reduction`) and the step
/// ends the iteration (H, the loss, the stopping rule). The loop owns what every step
/// shares: where a pass starts (a resumed pass goes on from its saved statistics), W's
/// buffers and undoing a pass, progress, checkpoints and stop requests, and the end.
///
/// Tiles run on `threads` workers; their shares are added in tile order, so the result is
/// the same for any thread count and block size (`TileSchedule`), and a pass stopped after
/// any tile and resumed from its statistics ends the same.
struct AlternatingLoop<Data: RowBlockProvider, Combining: Reduction> {
    typealias T = Data.Element

    let data: Data
    let reduction: Combining
    let maxIterations: Int
    let threads: Int
    let onIteration: ((IterationProgress) -> Void)?
    /// Whether its passes count at `CrashPoint`s (not those of a fit inside the run's).
    var reachesCrashPoints = true

    /// Runs `step` from `state` (a fresh one, or one restored from a checkpoint) to the end.
    /// `secondsBefore`: time the fit spent before this process took it up.
    func run<Step: AlternatingStep<T>>(_ step: inout Step, w: FactorRows<T>, state: inout LoopState<T>,
                                       clock: Stopwatch, secondsBefore: Double = 0,
                                       checkpoints: LoopCheckpoints<T>? = nil) throws {
        guard !(state.converged || state.iteration >= maxIterations) else { return }
        for iteration in (state.iteration + 1)...maxIterations {
            let passStart = clock.elapsedSeconds
            let work = step.beginPass(iteration: iteration, h: state.h)
            let resumed = try state.pass.take().map { try decoded($0, shapedLike: work.empty, checkpoints) }
            var statistics = resumed?.statistics ?? work.empty
            try streamPass(iteration: iteration, tile: work.tile, from: resumed?.rowsDone ?? 0, w: w,
                           statistics: &statistics, state: &state, mayBeUndone: work.mayBeUndone,
                           checkpoints: checkpoints)
            if reachesCrashPoints { CrashPoint.reach(.passEnd) }
            let end = try step.endPass(iteration: iteration, statistics: try reduction.combine(statistics),
                                       state: &state)
            let ends: Bool
            switch end {
            case .kept(let progress):
                w.endPass()
                ends = try finishIteration(progress, passStart: passStart, resumedMidway: resumed != nil,
                                           state: &state, clock: clock, secondsBefore: secondsBefore,
                                           checkpoints: checkpoints)
            case .undone(let progress):
                try w.undoPass()
                state.converged = true
                // The iterate the pass started from ends now, with the undone pass's time.
                state.iterationEndSeconds.removeLast()
                ends = try finishIteration(progress, passStart: passStart, resumedMidway: resumed != nil,
                                           state: &state, clock: clock, secondsBefore: secondsBefore,
                                           checkpoints: checkpoints)
            }
            if ends { return }
        }
    }

    /// A saved part of a pass, decoded for the step that runs it.
    private func decoded<Statistics: PassStatistics>(
        _ pass: PartialPass, shapedLike empty: Statistics, _ checkpoints: LoopCheckpoints<T>?
    ) throws -> (rowsDone: Int, statistics: Statistics) {
        guard let statistics = Statistics(decoding: pass.statistics, shapedLike: empty) else {
            throw CheckpointError.damaged(directory: checkpoints?.directory ?? "",
                                          problems: ["the saved pass's sums do not have the shapes of this run's"])
        }
        return (pass.rowsDone, statistics)
    }

    /// One pass over V's tiles from row `start`: each tile's new rows of W are written and
    /// its share added in tile order. A stop request saves the state with the pass's
    /// statistics (in mid-pass) and ends the loop.
    private func streamPass<Tile: TileStep<T, Statistics.TileShare>, Statistics: PassStatistics>(
        iteration: Int, tile: Tile, from start: Int, w: FactorRows<T>, statistics: inout Statistics,
        state: inout LoopState<T>, mayBeUndone: Bool, checkpoints: LoopCheckpoints<T>?
    ) throws {
        try w.beginPass(continuing: start > 0, keepingPrevious: mayBeUndone)
        var rowsDone = start
        do {
            try TilePass(data: data, threads: threads).run(
                from: start,
                prepare: { range in try w.read(range) },
                compute: { wRows, rows in tile.update(rows, w: wRows) },
                combine: { range, update in
                    if let reason = checkpoints?.stopReason() {
                        throw LoopStopped(reason: reason, state: (iteration - 1, range.lowerBound))
                    }
                    try w.write(update.w, at: range.lowerBound)
                    statistics.add(update.share)
                    rowsDone = range.upperBound
                    if reachesCrashPoints { CrashPoint.reach(.midPass) }
                })
        } catch let stopped as LoopStopped {
            if rowsDone > 0 { state.pass = PartialPass(rowsDone: rowsDone, statistics: statistics.encoded) }
            try checkpoints?.save(state)
            throw stopped
        }
    }

    /// What every iteration ends with: its time, progress, and a checkpoint when one is
    /// due or a stop was asked for. Returns whether the loop ends here.
    private func finishIteration(_ progress: IterationProgress, passStart: Double, resumedMidway: Bool,
                                 state: inout LoopState<T>, clock: Stopwatch, secondsBefore: Double,
                                 checkpoints: LoopCheckpoints<T>?) throws -> Bool {
        let now = clock.elapsedSeconds
        state.iterationEndSeconds.append(secondsBefore + now)
        state.iteration = progress.iteration
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
            if reason != nil || resumedMidway || checkpoints.isDue(progress.iteration) { try checkpoints.save(state) }
            if let reason { throw LoopStopped(reason: reason, state: (progress.iteration, 0)) }
        }
        return false
    }
}
