import NMFKernels

/// The per-tile work of a Frobenius pass:
///
///     Pₜ = Vₜ·Hᵀ;  update Wₜ from (Pₜ, H·Hᵀ);  Wₜᵀ·Vₜ (when H is learned);  Wₜᵀ·Wₜ
///
/// Vₜ is read in place and is still in cache for the second product.
struct FrobeniusTile<T: NMFScalar>: TileStep {
    let h: Matrix<T>
    /// Hᵀ, which sparse rows multiply as it is (each value reads one of its rows).
    let ht: Matrix<T>
    let hht: Matrix<T>
    let rule: UpdateScheme
    let penalty: Penalty
    /// Whether the pass sums Wᵀ·V for H's update; if not, ⟨Vₜ, Wₜ·H⟩ for the loss.
    let sumsDataProduct: Bool
    /// The first pass also measures the initial factors' loss.
    let measuresInitialLoss: Bool

    func update(_ tile: MatrixRows<T>, w: Matrix<T>) -> (w: Matrix<T>, share: FrobeniusStatistics<T>.TileShare) {
        var wRows = w
        var cross = tile.compressed == nil ? Matrix.product(tile, MatrixRows(h), transB: .transposed)
            : Matrix.product(tile, MatrixRows(ht))
        let initialCross = measuresInitialLoss ? cross.frobeniusInner(wRows) : 0
        let initialGram = measuresInitialLoss ? wRows.gram(of: .columns) : nil
        let crossBeforeUpdate = sumsDataProduct ? nil : cross
        let violation = rule.updateW(&wRows, cross: &cross, gram: hht, penalty: penalty)
        let wtv: ProductShare<T>, dataCross: Double
        if sumsDataProduct {
            wtv = ProductShare(w: wRows, timesRows: tile)
            dataCross = 0
        } else {
            wtv = ProductShare(Matrix(rows: h.rows, columns: 0))
            dataCross = crossBeforeUpdate?.frobeniusInner(wRows) ?? 0
        }
        let share = FrobeniusStatistics.TileShare(
            wtv: wtv, wtw: wRows.gram(of: .columns), violation: violation, dataCross: dataCross,
            initialCross: initialCross, initialGram: initialGram)
        return (wRows, share)
    }
}
