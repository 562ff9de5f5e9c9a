/// ‖V − W·H‖²_F from the products the engine already has, never from a dense W·H:
///
///     ‖V − WH‖² = ‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩
///
/// accumulated in Double. With ‖V‖² known from the first pass, the loss costs
/// O(k·n + k²) per iteration and no extra pass over V.
public enum FrobeniusLoss {
    @inlinable public static func residualSquared<S: NMFScalar, T: NMFScalar>(
        dataSquaredNorm: Double, wtv: Matrix<S>, wtw: Matrix<S>, h: Matrix<T>, hht: Matrix<S>
    ) -> Double {
        residualSquared(dataSquaredNorm: dataSquaredNorm,
                        cross: wtv.frobeniusInner(h), gram: wtw.frobeniusInner(hht))
    }

    /// The same identity from its two inner products: `cross` = ⟨V, WH⟩ and
    /// `gram` = ‖WH‖². Rounding can push a near-exact fit's value below zero;
    /// the residual of a real fit is never negative, so it is clamped.
    @inlinable public static func residualSquared(dataSquaredNorm: Double, cross: Double, gram: Double) -> Double {
        max(0, dataSquaredNorm - 2 * cross + gram)
    }
}
