/// Lee & Seung's multiplicative update for the Frobenius loss, with scikit-learn's
/// regularization terms and guards (`solver='mu'`, `beta_loss='frobenius'`).
///
/// Each factor entry is multiplied by numerator / denominator, both non-negative,
/// so factors stay non-negative and an entry that is 0 stays 0.
public struct MultiplicativeUpdate: UpdateRule {
    @inlinable public init() {}

    @inlinable public func updateW<T: NMFScalar>(_ w: inout Matrix<T>, cross: inout Matrix<T>,
                                      gram: Matrix<T>, penalty: Penalty) -> Double {
        let denominator = Matrix.product(w, gram)
        Self.scale(&w, numerator: cross, denominator: denominator, penalty: penalty)
        return 0
    }

    @inlinable public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, cross: Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        // (WᵀW)·H rather than Wᵀ·(W·H): k²n instead of 2mkn flops, NumPy's multi_dot order.
        let denominator = Matrix.product(gram, h)
        Self.scale(&h, numerator: cross, denominator: denominator, penalty: penalty)
        return 0
    }

    /// factor ← factor ⊙ (numerator ⊘ (denominator + l1 + l2·factor))^γ, in scikit-learn's
    /// order of operations; a zero denominator becomes EPSILON so 0/0 cannot appear.
    /// Entries that end below `zeroBelow` become 0 (scikit-learn's guard for β < 1).
    @inlinable static func scale<T: NMFScalar>(_ factor: inout Matrix<T>, numerator: Matrix<T>,
                                    denominator: Matrix<T>, penalty: Penalty, gamma: Double = 1,
                                    zeroBelow floor: T? = nil) {
        let l1 = T(penalty.l1), l2 = T(penalty.l2)
        let epsilon = T.nmfEpsilon
        let exponent = T(gamma)
        factor.elements.withUnsafeMutableBufferPointer { f in
            numerator.elements.withUnsafeBufferPointer { num in
                denominator.elements.withUnsafeBufferPointer { den in
                    for index in f.indices {
                        var d = den[index]
                        if penalty.l1 > 0 { d += l1 }
                        if penalty.l2 > 0 { d = d + l2 * f[index] }
                        if d == 0 { d = epsilon }
                        var ratio = num[index] / d
                        if gamma != 1 { ratio = T.numpyPower(ratio, exponent) }
                        f[index] *= ratio
                        if let floor, f[index] < floor { f[index] = 0 }
                    }
                }
            }
        }
    }
}
