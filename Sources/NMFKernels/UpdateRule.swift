/// One alternating-update scheme for the Frobenius loss.
///
/// A rule sees only the products the streaming engine can form: for W, a block's
/// rows with their cross product `Vᵢ·Hᵀ` and the Gram matrix `H·Hᵀ`; for H, the
/// reduced `Wᵀ·V` and `Wᵀ·W`. Rows of W are independent given H, so the W update
/// is block-local and any row partition gives the same values.
public protocol UpdateRule: Sendable {
    /// Updates the rows of a W block in place.
    /// - Parameters:
    ///   - w: b×k rows of W.
    ///   - cross: `Vᵢ·Hᵀ` (b×k); consumed (the rule may overwrite it).
    ///   - gram: `H·Hᵀ` (k×k), without regularization.
    /// - Returns: the rule's contribution to its stopping measure (projected-gradient
    ///   violation for coordinate descent, 0 for rules that stop on the loss).
    func updateW<T: NMFScalar>(_ w: inout Matrix<T>, cross: inout Matrix<T>, gram: Matrix<T>,
                               penalty: Penalty) -> Double

    /// Updates H (k×n) in place from `Wᵀ·V` (k×n) and `Wᵀ·W` (k×k).
    func updateH<T: NMFScalar>(_ h: inout Matrix<T>, cross: Matrix<T>, gram: Matrix<T>,
                               penalty: Penalty) -> Double
}

/// The built-in rules as one closed set. Calling through this enum rather than
/// through `any UpdateRule` lets the compiler specialize the kernels for the
/// element type, which the inner loops need to run at full speed.
public enum UpdateScheme: UpdateRule, Equatable {
    case multiplicative
    case coordinateDescent(sweeps: Int)
    /// `anls`: the exact NNLS solution (`ExactLeastSquares`).
    case exactLeastSquares

    @inlinable
    public func updateW<T: NMFScalar>(_ w: inout Matrix<T>, cross: inout Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        switch self {
        case .multiplicative:
            MultiplicativeUpdate().updateW(&w, cross: &cross, gram: gram, penalty: penalty)
        case .coordinateDescent(let sweeps):
            CoordinateDescent(sweeps: sweeps).updateW(&w, cross: &cross, gram: gram, penalty: penalty)
        case .exactLeastSquares:
            ExactLeastSquares().updateW(&w, cross: &cross, gram: gram, penalty: penalty)
        }
    }

    /// H's update from a pass's sums, kept in Double: `anls` solves from them as they are, the
    /// other rules work in T and get them rounded to it.
    @inlinable
    public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, summedCross cross: Matrix<Double>,
                                      summedGram gram: Matrix<Double>, penalty: Penalty) -> Double {
        if self == .exactLeastSquares {
            return ExactLeastSquares().solve(&h, rightHandSides: cross, gram: gram, penalty: penalty)
        }
        return updateH(&h, cross: cross.converted(to: T.self), gram: gram.converted(to: T.self), penalty: penalty)
    }

    @inlinable
    public func updateH<T: NMFScalar>(_ h: inout Matrix<T>, cross: Matrix<T>, gram: Matrix<T>,
                                      penalty: Penalty) -> Double {
        switch self {
        case .multiplicative:
            MultiplicativeUpdate().updateH(&h, cross: cross, gram: gram, penalty: penalty)
        case .coordinateDescent(let sweeps):
            CoordinateDescent(sweeps: sweeps).updateH(&h, cross: cross, gram: gram, penalty: penalty)
        case .exactLeastSquares:
            ExactLeastSquares().updateH(&h, cross: cross, gram: gram, penalty: penalty)
        }
    }
}
