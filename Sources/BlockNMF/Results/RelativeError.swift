import NMFKernels

/// ‖V − W·H‖_F / ‖V‖_F, the error every command and report states beside the absolute one.
public enum RelativeError {
    /// 0 when V is zero (W·H = 0 fits it exactly); nil for a β-divergence other than
    /// Frobenius, whose error √(2·D) is not a distance that ‖V‖_F scales.
    public static func of(_ reconstructionError: Double, dataNorm: Double, loss: BetaLoss) -> Double? {
        guard loss.isFrobenius else { return nil }
        return dataNorm > 0 ? reconstructionError / dataNorm : 0
    }
}
