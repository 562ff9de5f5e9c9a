import CVectorKernels

/// Cyclic coordinate descent on the Frobenius loss: the HALS rule of Cichocki &
/// Phan. With one sweep per update it is scikit-learn's `solver='cd'`
/// (`shuffle=False`); with several it is Gillis & Glineur's accelerated HALS.
///
/// A sweep visits components in order and, within a component, every row; each
/// coordinate takes the exact minimizer of the loss along it, projected onto ≥ 0.
/// Once the cross product and Gram matrix of an update are formed (the O(b·n·k)
/// part), every further sweep costs only O(b·k²): extra sweeps buy progress per
/// pass over V almost for free.
public struct CoordinateDescent: UpdateRule {
    /// Sweeps per update of each factor.
    public let sweeps: Int

    @inlinable public init(sweeps: Int = 1) {
        precondition(sweeps >= 1, "at least one sweep")
        self.sweeps = sweeps
    }

    @inlinable public func updateW<T: NMFScalar>(_ w: inout Matrix<T>, cross: inout Matrix<T>,
                                      gram: Matrix<T>, penalty: Penalty) -> Double {
        Self.update(&w, cross: &cross, gram: gram, penalty: penalty, sweeps: sweeps)
    }

    @inlinable public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, cross: Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        // H's update is W's on the transposed problem: Hᵀ (n×k) against (WᵀV)ᵀ.
        var ht = h.transposed()
        var crossT = cross.transposed()
        let violation = Self.update(&ht, cross: &crossT, gram: gram, penalty: penalty, sweeps: sweeps)
        h = ht.transposed()
        return violation
    }

    /// Folds the penalty into the Gram matrix and the cross product (as scikit-learn
    /// does), then runs the sweeps. Returns the first sweep's violation: the
    /// projected gradient at the factor as it was, which the stopping rule compares.
    @inlinable static func update<T: NMFScalar>(_ factor: inout Matrix<T>, cross: inout Matrix<T>, gram: Matrix<T>,
                                     penalty: Penalty, sweeps: Int) -> Double {
        var hessian = gram
        if penalty.l2 != 0 {
            // L2 regularization is a ridge on the diagonal of the Gram matrix.
            for t in 0..<hessian.rows { hessian[t, t] += T(penalty.l2) }
        }
        if penalty.l1 != 0 {
            // L1 regularization lowers every entry of the cross product.
            let l1 = T(penalty.l1)
            for index in cross.elements.indices { cross.elements[index] -= l1 }
        }
        let violation = sweep(&factor, cross: cross, hessian: hessian)
        for _ in 1..<sweeps { _ = sweep(&factor, cross: cross, hessian: hessian, measuringViolation: false) }
        return violation
    }

    /// One sweep over `factor` (r×k) given `cross` (r×k) and `hessian` (k×k).
    /// Returns Σ|projected gradient|, accumulated in the working precision as
    /// scikit-learn does, so the stopping decision matches it.
    ///
    /// Rows are independent within a component, so four rows' gradients are summed side by
    /// side: four independent chains of additions instead of one, each row's in the same order
    /// as one at a time (the results are the same bits).
    /// Without `measuringViolation` (sweeps whose violation nobody reads) the vector kernel
    /// skips it, and the result is 0 there.
    @inlinable static func sweep<T: NMFScalar>(_ factor: inout Matrix<T>, cross: Matrix<T>, hessian: Matrix<T>,
                                               measuringViolation: Bool = true,
                                               vectorized: Bool = vectorKernelsAvailable) -> Double {
        if T.self == Float.self && vectorized,
           let violation = vectorSweep(&factor, cross: cross, hessian: hessian, measuringViolation: measuringViolation) {
            return violation
        }
        let k = factor.columns
        let rowCount = factor.rows
        var violation: T = 0
        factor.elements.withUnsafeMutableBufferPointer { x in
            cross.elements.withUnsafeBufferPointer { c in
                hessian.elements.withUnsafeBufferPointer { g in
                    @inline(__always) func step(_ row: Int, _ t: Int, _ gradient: T, _ diagonal: T) {
                        let projected = x[row + t] == 0 ? min(0, gradient) : gradient
                        violation += abs(projected)
                        if diagonal != 0 {
                            x[row + t] = max(x[row + t] - gradient / diagonal, 0)
                        }
                    }
                    for t in 0..<k {
                        let diagonal = g[t * k + t]
                        let hessianRow = t * k
                        var i = 0
                        while i + 4 <= rowCount {
                            let (row0, row1, row2, row3) = (i * k, (i + 1) * k, (i + 2) * k, (i + 3) * k)
                            var (g0, g1, g2, g3) = (-c[row0 + t], -c[row1 + t], -c[row2 + t], -c[row3 + t])
                            for r in 0..<k {
                                let h = g[hessianRow + r]
                                g0 += h * x[row0 + r]
                                g1 += h * x[row1 + r]
                                g2 += h * x[row2 + r]
                                g3 += h * x[row3 + r]
                            }
                            step(row0, t, g0, diagonal)
                            step(row1, t, g1, diagonal)
                            step(row2, t, g2, diagonal)
                            step(row3, t, g3, diagonal)
                            i += 4
                        }
                        while i < rowCount {
                            let row = i * k
                            var gradient = -c[row + t]
                            for r in 0..<k { gradient += g[hessianRow + r] * x[row + r] }
                            step(row, t, gradient, diagonal)
                            i += 1
                        }
                    }
                }
            }
        }
        return Double(violation)
    }

    /// `sweep` for float32, sixteen rows at a time in 256-bit vectors, each row's arithmetic
    /// the same as above. The violation adds the same terms in the same order (component by
    /// component, rows in order), from magnitudes the kernel leaves for it. Nil, with the
    /// factor untouched, when the kernel could not allocate its scratch.
    @inlinable static func vectorSweep<T: NMFScalar>(_ factor: inout Matrix<T>, cross: Matrix<T>, hessian: Matrix<T>,
                                                     measuringViolation: Bool = true) -> Double? {
        let (rows, k) = (factor.rows, factor.columns)
        guard rows > 0 && k > 0 else { return 0 }
        var magnitudes = measuringViolation ? [Float](repeating: 0, count: rows * k) : []
        let status = factor.elements.withUnsafeMutableBytes { x in
            cross.elements.withUnsafeBytes { c in
                hessian.elements.withUnsafeBytes { g in
                    magnitudes.withUnsafeMutableBufferPointer { m in
                        coordinate_sweep_float(x.baseAddress!.assumingMemoryBound(to: Float.self),
                                               c.baseAddress!.assumingMemoryBound(to: Float.self),
                                               g.baseAddress!.assumingMemoryBound(to: Float.self), rows, k,
                                               measuringViolation ? m.baseAddress : nil)
                    }
                }
            }
        }
        guard status == 0 else { return nil }
        var violation: Float = 0
        for magnitude in magnitudes { violation += magnitude }
        return Double(violation)
    }
}
