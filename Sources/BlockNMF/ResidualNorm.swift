import NMFKernels

extension RowBlockProvider {
    /// ‖V − W·H‖_F from the residual itself, one pass over V: Wᵢ·H per block in the
    /// working precision, differences squared and summed in Double. Unlike the
    /// loss identity it does not cancel, so it resolves small errors in float32 too.
    func residualNorm(w: Matrix<Element>, h: Matrix<Element>) throws -> Double {
        var sum = 0.0
        try forEachBlock { firstRow, block in
            let approximation = Matrix.product(w.rows(firstRow..<(firstRow + block.rows)), h)
            for index in block.elements.indices {
                let delta = Double(block.elements[index]) - Double(approximation.elements[index])
                sum += delta * delta
            }
        }
        return sum.squareRoot()
    }
}
