/// The `anls` rule: each factor is the exact non-negative least-squares solution given the
/// other (`BlockPrincipalPivoting`), warm-started from the factor's current support.
///
/// The penalty enters as in coordinate descent (scikit-learn's objective
/// ½‖V − WH‖² + l1·Σ|x| + ½·l2·‖x‖²): l2 on the Gram matrix's diagonal, l1 subtracted from
/// every right-hand side. Both are folded in Double, where the pivoting works.
///
/// The returned contribution is not a gradient measure (`anls` stops on the loss) but the
/// number of right-hand sides the pivoting left unsolved at its iteration bound, or infinity
/// when the products were not finite (the factor is then left as it was): the step must
/// refuse a pass whose sum is positive, so a non-optimal factor is never kept silently.
public struct ExactLeastSquares: UpdateRule {
    /// The pivoting's bound (nil: `BlockPrincipalPivoting`'s default); tests lower it.
    let maximumIterations: Int?
    /// Whether what pivoting leaves unsolved goes to the active-set method; tests turn it off.
    let activeSetFallback: Bool

    public init() { (maximumIterations, activeSetFallback) = (nil, true) }

    init(maximumIterations: Int, activeSetFallback: Bool = true) {
        (self.maximumIterations, self.activeSetFallback) = (maximumIterations, activeSetFallback)
    }

    public func updateW<T: NMFScalar>(_ w: inout Matrix<T>, cross: inout Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        // Rows of W are the right-hand sides: solve for Wᵀ (k×b) from crossᵀ.
        var factor = w.transposed()
        let unsolved = solve(&factor, rightHandSides: cross.transposed(), gram: gram, penalty: penalty)
        if unsolved.isFinite { w = factor.transposed() }
        return unsolved
    }

    public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, cross: Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        solve(&h, rightHandSides: cross, gram: gram, penalty: penalty)
    }

    /// Solves `factor` (k×r) in place from products in T or in Double (a pass's sums);
    /// returns the unsolved count (infinity: not finite). The Gram's singularity is judged at
    /// T's precision, which its parts were formed in.
    @usableFromInline
    func solve<T: NMFScalar, S: NMFScalar>(_ factor: inout Matrix<T>, rightHandSides: Matrix<S>, gram: Matrix<S>,
                                           penalty: Penalty) -> Double {
        var regularizedGram = Matrix<Double>(rows: gram.rows, columns: gram.columns,
                                             elements: gram.elements.map { Double($0) })
        if penalty.l2 != 0 { for t in 0..<gram.rows { regularizedGram[t, t] += penalty.l2 } }
        var c = Matrix<Double>(rows: rightHandSides.rows, columns: rightHandSides.columns,
                               elements: rightHandSides.elements.map { Double($0) })
        if penalty.l1 != 0 { for index in c.elements.indices { c.elements[index] -= penalty.l1 } }
        let solution: NNLSSolution
        do {
            solution = try BlockPrincipalPivoting.solve(
                gram: regularizedGram, rightHandSides: c,
                initialPassiveSets: BlockPrincipalPivoting.passiveSets(support: factor),
                maximumIterations: maximumIterations, backupRule: true, activeSetFallback: activeSetFallback,
                gramPrecision: Double(T.ulpOfOne))
        } catch {
            return .infinity
        }
        factor = Matrix(rows: factor.rows, columns: factor.columns, elements: solution.x.elements.map { T($0) })
        return solution.converged ? 0 : Double(solution.unsolvedCount)
    }
}
