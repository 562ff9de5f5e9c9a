import NMFKernels

/// What one tile contributes to an iteration: its updated rows of W and its share
/// of the reduced products.
struct TileUpdate<T: NMFScalar>: Sendable {
    /// The tile's rows of W after the update.
    var w: Matrix<T>
    /// Wₜᵀ·Vₜ (k×n) with the new Wₜ; empty when H is fixed.
    var wtv: ProductShare<T>
    /// Wₜᵀ·Wₜ (k×k) with the new Wₜ.
    var wtw: Matrix<T>
    var violation: Double
    /// ⟨Vₜ, Wₜ·H⟩ with the new Wₜ, needed for the loss when H is fixed.
    var dataCross: Double
    /// ⟨Vₜ, W₀ₜ·H⟩ and W₀ₜᵀ·W₀ₜ before the update, on the first iteration only:
    /// the initial loss comes with the first pass.
    var initialCross: Double
    var initialGram: Matrix<T>?

    /// The per-tile step of the alternating loop:
    ///
    ///     Pₜ = Vₜ·Hᵀ;  update Wₜ from (Pₜ, H·Hᵀ);  Wₜᵀ·Vₜ;  Wₜᵀ·Wₜ
    ///
    /// Vₜ is read in place and is still in cache for the second product.
    /// `ht`: Hᵀ, which sparse rows multiply as it is (each value reads one of its rows).
    init(tile: MatrixRows<T>, w: Matrix<T>, h: Matrix<T>, ht: Matrix<T>, hht: Matrix<T>, rule: UpdateScheme,
         penalty: Penalty, updatesH: Bool, firstIteration: Bool) {
        var wRows = w
        var cross = tile.compressed == nil ? Matrix.product(tile, MatrixRows(h), transB: .transposed)
            : Matrix.product(tile, MatrixRows(ht))
        initialCross = firstIteration ? cross.frobeniusInner(wRows) : 0
        initialGram = firstIteration ? wRows.gram(of: .columns) : nil
        let crossBeforeUpdate = updatesH ? nil : cross
        violation = rule.updateW(&wRows, cross: &cross, gram: hht, penalty: penalty)
        if updatesH {
            wtv = ProductShare(w: wRows, timesRows: tile)
            dataCross = 0
        } else {
            wtv = ProductShare(Matrix(rows: h.rows, columns: 0))
            dataCross = crossBeforeUpdate?.frobeniusInner(wRows) ?? 0
        }
        wtw = wRows.gram(of: .columns)
        self.w = wRows
    }
}
