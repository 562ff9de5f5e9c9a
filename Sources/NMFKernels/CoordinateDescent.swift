/// Cyclic coordinate descent on the Frobenius loss, one sweep per update: the
/// HALS rule of Cichocki & Phan as scikit-learn implements it (`solver='cd'`,
/// `shuffle=False`).
///
/// The sweep visits components in order and, within a component, every row; each
/// coordinate takes the exact minimizer of the loss along it, projected onto ≥ 0.
public struct CoordinateDescent: UpdateRule {
    public init() {}

    public func updateW<T: NMFScalar>(_ w: inout Matrix<T>, cross: inout Matrix<T>,
                                      gram: Matrix<T>, penalty: Penalty) -> Double {
        Self.sweep(&w, cross: &cross, gram: gram, penalty: penalty)
    }

    public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, cross: Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        // H's update is W's on the transposed problem: Hᵀ (n×k) against (WᵀV)ᵀ.
        var ht = h.transposed()
        var crossT = cross.transposed()
        let violation = Self.sweep(&ht, cross: &crossT, gram: gram, penalty: penalty)
        h = ht.transposed()
        return violation
    }

    /// One sweep over `factor` (r×k) given `cross` (r×k) and `gram` (k×k).
    /// Returns Σ|projected gradient|, accumulated in the working precision as
    /// scikit-learn does, so the stopping decision matches it.
    static func sweep<T: NMFScalar>(_ factor: inout Matrix<T>, cross: inout Matrix<T>,
                                    gram: Matrix<T>, penalty: Penalty) -> Double {
        let k = factor.columns
        let rowCount = factor.rows
        var hessian = gram
        if penalty.l2 != 0 {
            // L2 regularization is a ridge on the diagonal of the Gram matrix.
            for t in 0..<k { hessian[t, t] += T(penalty.l2) }
        }
        if penalty.l1 != 0 {
            // L1 regularization lowers every entry of the cross product.
            let l1 = T(penalty.l1)
            for index in cross.elements.indices { cross.elements[index] -= l1 }
        }
        var violation: T = 0
        factor.elements.withUnsafeMutableBufferPointer { x in
            cross.elements.withUnsafeBufferPointer { c in
                hessian.elements.withUnsafeBufferPointer { g in
                    for t in 0..<k {
                        let diagonal = g[t * k + t]
                        for i in 0..<rowCount {
                            let row = i * k
                            var gradient = -c[row + t]
                            for r in 0..<k { gradient += g[t * k + r] * x[row + r] }
                            let projected = x[row + t] == 0 ? min(0, gradient) : gradient
                            violation += abs(projected)
                            if diagonal != 0 {
                                x[row + t] = max(x[row + t] - gradient / diagonal, 0)
                            }
                        }
                    }
                }
            }
        }
        return Double(violation)
    }
}
