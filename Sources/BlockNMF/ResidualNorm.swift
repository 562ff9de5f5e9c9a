import NMFKernels

extension RowBlockProvider {
    /// scikit-learn's `reconstruction_err_` of the final factors, from one more pass over
    /// V: ‖V − W·H‖_F for Frobenius, else √(2·D_β(V ‖ W·H)).
    func reconstructionError(w: FactorRows<Element>, h: Matrix<Element>, loss: BetaLoss, threads: Int) throws -> Double {
        var sums = DivergenceSums()
        try TilePass(data: self, threads: threads).run(
            prepare: { range in try w.read(range) },
            compute: { wRows, tile in
                let product = Matrix.product(wRows, h)
                return loss.isFrobenius ? DivergenceSums(dataTerms: tile.squaredDistance(to: product), modelTerms: 0)
                    : DivergenceSums.of(data: tile, product: product, loss: loss)
            },
            combine: { _, tileSums in sums.add(tileSums) })
        return sums.reconstructionError(loss)
    }
}
