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
/// result is the same for any thread count and any block size (`TileSchedule`).
struct AlternatingEngine<Data: RowBlockProvider> {
    typealias T = Data.Element

    let data: Data
    let summary: DataSummary
    let rule: UpdateScheme
    let stopping: StoppingRule
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

    func run(w: FactorRows<T>, h: inout Matrix<T>, clock: Stopwatch) throws -> Outcome {
        let k = h.rows, n = h.columns
        var hht = h.gram(of: .rows)
        var history: [Double] = []
        var endTimes: [Double] = []
        var stopping = self.stopping
        let pass = TilePass(data: data, threads: threads)

        for iteration in 1...maxIterations {
            let passStart = clock.elapsedSeconds
            var wtv = Matrix<T>(rows: k, columns: updatesH ? n : 0)
            var wtw = Matrix<T>(rows: k, columns: k)
            var violation = 0.0, dataCross = 0.0, initialCross = 0.0
            var initialGram = Matrix<T>(rows: k, columns: k)
            let (currentH, currentHHt, rule, penalty, updatesH) = (h, hht, self.rule, penalties.w, self.updatesH)
            let firstIteration = iteration == 1

            try pass.run(
                prepare: { range in try w.read(range) },
                compute: { wRows, tile in
                    TileUpdate(tile: tile, w: wRows, h: currentH, hht: currentHHt, rule: rule,
                               penalty: penalty, updatesH: updatesH, firstIteration: firstIteration)
                },
                combine: { range, update in
                    try w.write(update.w, at: range.lowerBound)
                    if updatesH { wtv.add(update.wtv) }
                    wtw.add(update.wtw)
                    violation += update.violation
                    dataCross += update.dataCross
                    initialCross += update.initialCross
                    if let gram = update.initialGram { initialGram.add(gram) }
                })

            if firstIteration {
                let initial = FrobeniusLoss.residualSquared(
                    dataSquaredNorm: summary.squaredNorm, cross: initialCross,
                    gram: initialGram.frobeniusInner(hht))
                history.append(initial.squareRoot())
            }

            let residual: Double
            if updatesH {
                violation += rule.updateH(&h, cross: wtv, gram: wtw, penalty: penalties.h)
                hht = h.gram(of: .rows)
                residual = FrobeniusLoss.residualSquared(
                    dataSquaredNorm: summary.squaredNorm, wtv: wtv, wtw: wtw, h: h, hht: hht)
            } else {
                residual = FrobeniusLoss.residualSquared(
                    dataSquaredNorm: summary.squaredNorm, cross: dataCross,
                    gram: wtw.frobeniusInner(hht))
            }
            let error = residual.squareRoot()
            history.append(error)
            let now = clock.elapsedSeconds
            endTimes.append(now)
            let converged = stopping.isSatisfied(iteration: iteration, violation: violation,
                                                 error: error, initialError: history[0])
            onIteration?(IterationProgress(iteration: iteration, maxIterations: maxIterations,
                                           reconstructionError: error,
                                           previousError: history[history.count - 2],
                                           dataNorm: summary.squaredNorm.squareRoot(),
                                           iterationSeconds: now - passStart, elapsedSeconds: now,
                                           isLast: converged || iteration == maxIterations))
            if converged {
                return Outcome(iterations: iteration, converged: true, lossHistory: history, iterationEndSeconds: endTimes)
            }
        }
        return Outcome(iterations: maxIterations, converged: false, lossHistory: history,
                       iterationEndSeconds: endTimes)
    }
}
