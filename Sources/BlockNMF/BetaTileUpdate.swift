import NMFKernels

/// What one tile contributes to an iteration of the β-divergence update (β ≠ 2):
/// its new rows of W, its share of H's numerator and denominator, and — when asked —
/// its share of the divergence of the factors the pass started from.
///
///     Pₜ = Wₜ·H;  D(Vₜ ‖ Pₜ) when asked;  Wₜ ← Wₜ ⊙ ([Vₜ ⊙ Pₜ^(β−2)]·Hᵀ ⊘ Pₜ^(β−1)·Hᵀ)^γ
///     Pₜ = Wₜ·H with the new Wₜ;  Wₜᵀ·[Vₜ ⊙ Pₜ^(β−2)];  Wₜᵀ·Pₜ^(β−1) (column sums of Wₜ for KL)
///
/// About 8·b·n·k flops for Kullback-Leibler, 12·b·n·k otherwise, plus two powers per
/// entry and product (a division for KL, divisions and products for IS); Vₜ is read in place.
struct BetaTileUpdate<T: NMFScalar>: Sendable {
    var w: Matrix<T>
    /// H's numerator share (k×n); empty when H is fixed.
    var hNumerator: Matrix<T>
    /// H's denominator share: k×n, or k×1 column sums of the new Wₜ for Kullback-Leibler.
    var hDenominator: Matrix<T>
    /// D(Vₜ ‖ Wₜ·H) for the Wₜ and H the pass started from.
    var divergence: DivergenceSums?

    /// `hRowSums`: H's row sums (the W update's denominator for Kullback-Leibler).
    init(tile: MatrixRows<T>, w: Matrix<T>, h: Matrix<T>, hRowSums: [T]?, update: BetaMultiplicativeUpdate,
         penalty: Penalty, updatesH: Bool, evaluatesDivergence: Bool) {
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
            hNumerator = Matrix.product(MatrixRows(wRows), MatrixRows(product), transA: .transposed)
            hDenominator = denominator.map { Matrix.product(MatrixRows(wRows), MatrixRows($0), transA: .transposed) }
                ?? Matrix(rows: h.rows, columns: 1, elements: BetaMultiplicativeUpdate.columnSums(wRows))
        } else {
            hNumerator = Matrix(rows: h.rows, columns: 0)
            hDenominator = Matrix(rows: h.rows, columns: 0)
        }
        self.w = wRows
    }
}
