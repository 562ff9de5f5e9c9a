/// scikit-learn's multiplicative update for a β-divergence other than Frobenius
/// (`solver='mu'`, `_multiplicative_update_w` / `_h`), split the way the streaming
/// engine needs it: element-wise terms from rows of V and the same rows of W·H,
/// products of those terms with the fixed factor (formed by the caller, per tile),
/// then the update of a factor from its numerator and denominator.
///
///     W ← W ⊙ ([V ⊙ (WH)^(β−2)]·Hᵀ ⊘ [(WH)^(β−1)·Hᵀ + l1 + l2·W])^γ
///     H ← H ⊙ (Wᵀ·[V ⊙ (WH)^(β−2)] ⊘ [Wᵀ·(WH)^(β−1) + l1 + l2·H])^γ
///
/// For Kullback-Leibler (β = 1) the denominators are sums of the fixed factor: H's
/// row sums for W, W's column sums (0 read as 1) for H.
public struct BetaMultiplicativeUpdate: Sendable {
    public let loss: BetaLoss

    @inlinable public init(loss: BetaLoss) {
        precondition(!loss.isFrobenius, "β = 2 uses MultiplicativeUpdate")
        self.loss = loss
    }

    /// Whether the denominator is a sum of the fixed factor rather than a product.
    @inlinable public var denominatorIsFactorSum: Bool { loss.beta == 1 }

    /// From `product` = rows of W·H and the same rows of V: `product` becomes
    /// V ⊙ (W·H)^(β−2), and the result is (W·H)^(β−1) (nil for Kullback-Leibler).
    /// Below β = 2, W·H is raised to EPSILON before a negative power is taken; below
    /// β = 1 the denominator's W·H too — scikit-learn's guards, in its order.
    @inlinable public func ratioTerms<T: NMFScalar>(_ product: inout Matrix<T>, data: MatrixRows<T>) -> Matrix<T>? {
        precondition(product.rows == data.rows && product.columns == data.columns, "shapes differ")
        let beta = loss.beta
        let epsilon = T.nmfEpsilon
        let count = product.elements.count
        var denominator = beta == 1 ? nil
            : Matrix<T>(rows: product.rows, columns: product.columns,
                        elements: [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count })
        data.withElements { v in
            product.elements.withUnsafeMutableBufferPointer { wh in
                if beta == 1 {
                    for index in 0..<count { wh[index] = Self.ratio(v[index], wh[index]) }
                    return
                }
                denominator!.elements.withUnsafeMutableBufferPointer { d in
                    if beta == 0 {
                        for index in 0..<count {
                            let inverse = 1 / max(wh[index], epsilon)
                            d[index] = inverse
                            wh[index] = inverse * inverse * v[index]
                        }
                        return
                    }
                    let (numeratorExponent, denominatorExponent) = (T(beta - 2), T(beta - 1))
                    for index in 0..<count {
                        let raw = wh[index]
                        let safe = beta < 2 ? max(raw, epsilon) : raw
                        d[index] = T.numpyPower(beta < 1 ? safe : raw, denominatorExponent)
                        wh[index] = T.numpyPower(safe, numeratorExponent) * v[index]
                    }
                }
            }
        }
        return denominator
    }

    /// V ⊘ W·H for Kullback-Leibler at one entry, W·H raised to EPSILON first (scikit-learn's guard).
    @inlinable @inline(__always) public static func ratio<T: NMFScalar>(_ value: T, _ product: T) -> T {
        value / max(product, T.nmfEpsilon)
    }

    /// Updates rows of W (b×k) from `numerator` = [V ⊙ (WH)^(β−2)]·Hᵀ and `denominator`
    /// = (WH)^(β−1)·Hᵀ, or for Kullback-Leibler from H's row sums.
    @inlinable public func updateW<T: NMFScalar>(_ w: inout Matrix<T>, numerator: Matrix<T>,
                                                 denominator: Matrix<T>?, hRowSums: [T]?, penalty: Penalty) {
        let full = denominator ?? Matrix(rows: w.rows, columns: w.columns) { _, component in hRowSums![component] }
        MultiplicativeUpdate.scale(&w, numerator: numerator, denominator: full, penalty: penalty,
                                   gamma: loss.gamma, zeroBelow: loss.beta < 1 ? T(Double.ulpOfOne) : nil)
    }

    /// Updates H (k×n) from `numerator` = Wᵀ·[V ⊙ (WH)^(β−2)] and `denominator` =
    /// Wᵀ·(WH)^(β−1), or for Kullback-Leibler from W's column sums.
    @inlinable public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, numerator: Matrix<T>,
                                                 denominator: Matrix<T>?, wColumnSums: [T]?, penalty: Penalty) {
        let full = denominator ?? Matrix(rows: h.rows, columns: h.columns) { component, _ in
            let sum = wColumnSums![component]
            return sum == 0 ? 1 : sum
        }
        MultiplicativeUpdate.scale(&h, numerator: numerator, denominator: full, penalty: penalty,
                                   gamma: loss.gamma, zeroBelow: loss.beta <= 1 ? T(Double.ulpOfOne) : nil)
    }

    /// Σ over rows of `factor` (k×n → k sums): H's row sums, in the working precision.
    @inlinable public static func rowSums<T: NMFScalar>(_ factor: Matrix<T>) -> [T] {
        (0..<factor.rows).map { row in
            factor.elements[(row * factor.columns)..<((row + 1) * factor.columns)].reduce(0, +)
        }
    }

    /// Σ over the rows of `factor` (b×k → k sums): a tile's share of W's column sums.
    @inlinable public static func columnSums<T: NMFScalar>(_ factor: Matrix<T>) -> [T] {
        var sums = [T](repeating: 0, count: factor.columns)
        for row in 0..<factor.rows {
            for column in 0..<factor.columns { sums[column] += factor[row, column] }
        }
        return sums
    }
}
