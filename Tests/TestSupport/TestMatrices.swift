import NMFKernels

/// Seeded test matrices: a planted product W*·H* of uniform factors, optionally
/// with uniform noise, so every test input is reproducible from its arguments.
public enum TestMatrices {
    public static func planted<T: NMFScalar>(
        _ m: Int, _ n: Int, rank: Int, noise: Double = 0, seed: UInt32, as: T.Type = T.self
    ) -> Matrix<T> {
        var random = LegacyRandomState(seed: seed)
        let w = Matrix<Double>(rows: m, columns: rank) { _, _ in random.nextUniform() }
        let h = Matrix<Double>(rows: rank, columns: n) { _, _ in random.nextUniform() }
        var v = Matrix.product(w, h)
        for index in v.elements.indices { v.elements[index] += noise * random.nextUniform() }
        return v.converted()
    }

    /// ‖V − W·H‖_F computed densely: the oracle for the trace-identity loss.
    public static func denseResidual<T: NMFScalar>(_ v: Matrix<T>, _ w: Matrix<T>, _ h: Matrix<T>) -> Double {
        let product = Matrix.product(w.converted(to: Double.self), h.converted(to: Double.self))
        let reference = v.converted(to: Double.self)
        var sum = 0.0
        for index in reference.elements.indices {
            let delta = reference.elements[index] - product.elements[index]
            sum += delta * delta
        }
        return sum.squareRoot()
    }
}
