import NMFKernels

/// The single alternating loop every solver shares (scikit-learn's order: W, then H).
///
/// Per iteration, one pass over V's row blocks:
///
///     G = H·Hᵀ                                  once
///     per block i:  Pᵢ = Vᵢ·Hᵀ;  update Wᵢ from Pᵢ, G;  Aᵢ = Wᵢᵀ·Vᵢ;  Bᵢ = Wᵢᵀ·Wᵢ
///     A = Σ Aᵢ,  B = Σ Bᵢ                       in block order
///     update H from A, B;  loss = ‖V‖² − 2⟨A, H⟩ + ⟨B, H·Hᵀ⟩
///
/// Partial sums are formed per block and added in block order, so the result
/// depends on the block partition only, never on who computed which block.
struct AlternatingEngine<Data: RowBlockProvider> {
    typealias T = Data.Element

    let data: Data
    let summary: DataSummary
    let solver: Solver
    let penalties: (w: Penalty, h: Penalty)
    let maxIterations: Int
    let tolerance: Double
    /// false for `transform`: H is fixed, only W is solved for.
    let updatesH: Bool
    let onIteration: ((IterationProgress) -> Void)?

    struct Outcome {
        var iterations: Int
        var converged: Bool
        var lossHistory: [Double]
    }

    func run(w: inout Matrix<T>, h: inout Matrix<T>, clock: Stopwatch) throws -> Outcome {
        let rule = solver.rule
        let k = h.rows, n = h.columns
        var hht = h.gram(of: .rows)
        var history: [Double] = []
        var stopping = StoppingRule(solver: solver, tolerance: tolerance)

        for iteration in 1...maxIterations {
            var wtv = Matrix<T>(rows: k, columns: updatesH ? n : 0)
            var wtw = Matrix<T>(rows: k, columns: k)
            var violation = 0.0
            // ⟨V, W·H⟩ from the blocks, needed when H is fixed and no Wᵀ·V is formed.
            var dataCross = 0.0
            var initialCross = 0.0
            var initialGram = Matrix<T>(rows: k, columns: k)

            try data.forEachBlock { firstRow, block in
                let blockRange = firstRow..<(firstRow + block.rows)
                var wBlock = w.rows(blockRange)
                var cross = Matrix.product(block, h, transB: .transposed)
                if iteration == 1 {
                    // The loss of the initial factors rides along the first pass.
                    initialCross += cross.frobeniusInner(wBlock)
                    initialGram.add(wBlock.gram(of: .columns))
                }
                let crossBeforeUpdate = updatesH ? nil : cross
                violation += rule.updateW(&wBlock, cross: &cross, gram: hht, penalty: penalties.w)
                if updatesH {
                    wtv.add(Matrix.product(wBlock, block, transA: .transposed))
                } else if let crossBeforeUpdate {
                    dataCross += crossBeforeUpdate.frobeniusInner(wBlock)
                }
                wtw.add(wBlock.gram(of: .columns))
                w.replaceRows(startingAt: firstRow, with: wBlock)
            }

            if iteration == 1 {
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
            onIteration?(IterationProgress(iteration: iteration, maxIterations: maxIterations,
                                           reconstructionError: error,
                                           elapsedSeconds: clock.elapsedSeconds))

            if stopping.isSatisfied(iteration: iteration, violation: violation,
                                    error: error, initialError: history[0]) {
                return Outcome(iterations: iteration, converged: true, lossHistory: history)
            }
        }
        return Outcome(iterations: maxIterations, converged: false, lossHistory: history)
    }
}
