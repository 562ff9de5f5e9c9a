import NMFKernels

/// The per-tile work of a β-divergence pass (β ≠ 2): the tile's new rows of W, its share
/// of H's numerator and denominator (when H is learned), and — when asked — its share of
/// the divergence of the factors the pass started from.
///
///     Pₜ = Wₜ·H;  D(Vₜ ‖ Pₜ) when asked;  Wₜ ← Wₜ ⊙ ([Vₜ ⊙ Pₜ^(β−2)]·Hᵀ ⊘ Pₜ^(β−1)·Hᵀ)^γ
///     Pₜ = Wₜ·H with the new Wₜ;  Wₜᵀ·[Vₜ ⊙ Pₜ^(β−2)];  Wₜᵀ·Pₜ^(β−1) (column sums of Wₜ for KL)
///
/// About 8·b·n·k flops for Kullback-Leibler, 12·b·n·k otherwise, plus two powers per
/// entry and product (a division for KL, divisions and products for IS); Vₜ is read in place.
struct DivergenceTile<T: NMFScalar>: TileStep {
    let h: SampledFactor<T>
    /// H's row sums: the W update's denominator for Kullback-Leibler.
    let hRowSums: [T]?
    let update: BetaMultiplicativeUpdate
    let penalty: Penalty
    let sumsHShares: Bool
    let evaluatesDivergence: Bool

    func update(_ tile: MatrixRows<T>, w: Matrix<T>) -> (w: Matrix<T>, share: DivergenceStatistics<T>.TileShare) {
        let share = DivergenceStatistics<T>.TileShare(
            tile: tile, w: w, h: h, hRowSums: hRowSums, update: update, penalty: penalty, updatesH: sumsHShares,
            evaluatesDivergence: evaluatesDivergence)
        return (share.w, share)
    }
}

extension DivergenceStatistics.TileShare {
    /// `hRowSums`: H's row sums (the W update's denominator for Kullback-Leibler).
    init(tile: MatrixRows<T>, w: Matrix<T>, h: SampledFactor<T>, hRowSums: [T]?, update: BetaMultiplicativeUpdate,
         penalty: Penalty, updatesH: Bool, evaluatesDivergence: Bool) {
        if update.loss.beta == 1, let sampled = tile.sampled(w: w, h) {
            self.init(sparse: sampled, tile: tile, w: w, h: h, hRowSums: hRowSums!, update: update, penalty: penalty,
                      updatesH: updatesH, evaluatesDivergence: evaluatesDivergence)
            return
        }
        // W's rows update on their own, so dense rows of a tall sparse tile go 256 at a time,
        // each piece added into the tile's shares as it is made (memory: one dense piece).
        let chunks = TileSchedule.denseChunks(of: tile.rows)
        func piece(_ chunk: Range<Int>) -> Self {
            Self(dense: tile.rows(chunk), w: w.rows(chunk), h: h.h, hRowSums: hRowSums, update: update,
                 penalty: penalty, updatesH: updatesH, evaluatesDivergence: evaluatesDivergence)
        }
        self = piece(chunks[0])
        guard chunks.count > 1 else { return }
        var stacked = Matrix<T>(rows: tile.rows, columns: w.columns)
        stacked.replaceRows(startingAt: 0, with: self.w)
        // Dense pieces: their shares are k×n.
        var numerator = hNumerator.matrix
        for chunk in chunks.dropFirst() {
            let next = piece(chunk)
            stacked.replaceRows(startingAt: chunk.lowerBound, with: next.w)
            if numerator.columns > 0 { next.hNumerator.add(into: &numerator) }
            if hDenominator.columns > 0 { hDenominator.add(next.hDenominator) }
            if let other = next.divergence { divergence?.add(other) }
        }
        (self.w, hNumerator) = (stacked, ProductShare(numerator))
    }

    private init(dense tile: MatrixRows<T>, w: Matrix<T>, h: Matrix<T>, hRowSums: [T]?,
                 update: BetaMultiplicativeUpdate, penalty: Penalty, updatesH: Bool, evaluatesDivergence: Bool) {
        var wRows = w
        let hRows = MatrixRows(h)
        var product = Matrix.product(MatrixRows(wRows), hRows)
        divergence = evaluatesDivergence ? DivergenceSums.of(data: tile, product: product, loss: update.loss) : nil
        var denominator = update.ratioTerms(&product, data: tile)
        update.updateW(&wRows, numerator: Matrix.product(MatrixRows(product), hRows, transB: .transposed),
                       denominator: denominator.map { Matrix.product(MatrixRows($0), hRows, transB: .transposed) },
                       hRowSums: hRowSums, penalty: penalty)
        if updatesH {
            product = Matrix.product(MatrixRows(wRows), hRows)
            denominator = update.ratioTerms(&product, data: tile)
            hNumerator = ProductShare(Matrix.product(MatrixRows(wRows), MatrixRows(product), transA: .transposed))
            hDenominator = denominator.map { Matrix.product(MatrixRows(wRows), MatrixRows($0), transA: .transposed) }
                ?? Matrix(rows: h.rows, columns: 1, elements: BetaMultiplicativeUpdate.columnSums(wRows))
        } else {
            hNumerator = ProductShare(Matrix(rows: h.rows, columns: 0))
            hDenominator = Matrix(rows: h.rows, columns: 0)
        }
        self.w = wRows
    }

    /// Kullback-Leibler on sparse rows: W·H only at the values (V ⊘ W·H is 0 elsewhere, and
    /// the denominators are factor sums), 8·nnz·k flops.
    private init(sparse: SampledTile<T>, tile: MatrixRows<T>, w: Matrix<T>, h: SampledFactor<T>, hRowSums: [T],
                 update: BetaMultiplicativeUpdate, penalty: Penalty, updatesH: Bool, evaluatesDivergence: Bool) {
        func ratios(_ sampled: SampledTile<T>) -> MatrixRows<T> {
            sampled.rows(withValues: zip(sampled.values, sampled.products).map(BetaMultiplicativeUpdate.ratio))
        }
        var wRows = w
        divergence = evaluatesDivergence ? DivergenceSums.of(sampled: sparse, factor: h, loss: update.loss) : nil
        update.updateW(&wRows, numerator: Matrix.product(ratios(sparse), MatrixRows(h.transposed)),
                       denominator: nil, hRowSums: hRowSums, penalty: penalty)
        if updatesH, let again = tile.sampled(w: wRows, h) {
            hNumerator = ProductShare(w: wRows, timesRows: ratios(again))
            hDenominator = Matrix(rows: h.h.rows, columns: 1, elements: BetaMultiplicativeUpdate.columnSums(wRows))
        } else {
            hNumerator = ProductShare(Matrix(rows: h.h.rows, columns: 0))
            hDenominator = Matrix(rows: h.h.rows, columns: 0)
        }
        self.w = wRows
    }
}
