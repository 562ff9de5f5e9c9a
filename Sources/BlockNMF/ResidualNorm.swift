import NMFKernels

extension RowBlockProvider {
    /// ‖V − W·H‖_F from the residual itself, one pass over V: Wₜ·H per tile in the
    /// working precision, differences squared and summed in Double. Unlike the
    /// loss identity it does not cancel, so it resolves small errors in float32 too.
    func residualNorm(w: FactorRows<Element>, h: Matrix<Element>, threads: Int) throws -> Double {
        var sum = 0.0
        try TilePass(data: self, threads: threads).run(
            prepare: { range in try w.read(range) },
            compute: { wRows, tile in
                tile.squaredDistance(to: Matrix.product(wRows, h))
            },
            combine: { _, squares in sum += squares })
        return sum.squareRoot()
    }
}
