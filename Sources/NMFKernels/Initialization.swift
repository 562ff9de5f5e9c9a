/// How the factors start, in scikit-learn's names.
public enum InitializationMethod: String, Sendable, Codable, CaseIterable {
    case random, nndsvd, nndsvda, nndsvdar, custom
    /// H₀ from a short fit on a deterministic sample of V's rows (not scikit-learn's).
    case sample

    /// scikit-learn's rule when `init=None`: NNDSVDa when the rank allows an SVD
    /// of that size, random otherwise.
    public static func defaultMethod(components: Int, samples: Int, features: Int) -> Self {
        components <= min(samples, features) ? .nndsvda : .random
    }

    /// Whether the method needs a rank-k SVD, and so k ≤ min(m, n).
    public var needsSVD: Bool { self == .nndsvd || self == .nndsvda || self == .nndsvdar }
}

/// Initial factors exactly as scikit-learn's `_initialize_nmf` builds them.
public enum Initialization {
    /// Entries below this are set to zero after NNDSVD (scikit-learn's `eps`).
    static let truncation = 1e-6

    /// |N(0, 1)|·√(mean(V)/k), H drawn before W from one seeded stream.
    public static func random<T: NMFScalar>(
        samples m: Int, features n: Int, components k: Int, mean: Double, seed: UInt32
    ) -> (w: Matrix<T>, h: Matrix<T>) {
        var w = Matrix<T>(rows: m, columns: k)
        // Drawn in blocks so that W is never held twice.
        let h: Matrix<T> = random(samples: m, features: n, components: k, mean: mean, seed: seed,
                                  wBlockRows: 16_384) { first, block in
            w.replaceRows(startingAt: first, with: block)
        }
        return (w, h)
    }

    /// The same draws with W handed out `wBlockRows` rows at a time, in order, so a W
    /// too large for memory can be written as it is drawn. Returns H.
    /// Inlinable so that callers get it specialized for their precision: unspecialized, each
    /// of the m·k draws went through generic `abs` and witness lookups.
    @inlinable public static func random<T: NMFScalar>(
        samples m: Int, features n: Int, components k: Int, mean: Double, seed: UInt32,
        wBlockRows: Int, emitW: (_ firstRow: Int, _ rows: Matrix<T>) throws -> Void
    ) rethrows -> Matrix<T> {
        let scale = (T(mean) / T(k)).squareRoot()
        var random = LegacyRandomState(seed: seed)
        let h = Matrix(rows: k, columns: n, elements: random.gaussians(k * n).map { (scale * T($0)).magnitude })
        for start in stride(from: 0, to: m, by: max(wBlockRows, 1)) {
            let count = min(wBlockRows, m - start)
            try emitW(start, Matrix(rows: count, columns: k,
                                    elements: random.gaussians(count * k).map { (scale * T($0)).magnitude }))
        }
        return h
    }

    /// Boutsidis & Gallopoulos's NNDSVD from the leading singular triplets, then
    /// the variant's treatment of the zeros: kept (`nndsvd`), filled with mean(V)
    /// (`nndsvda`), or filled with small random values (`nndsvdar`).
    public static func nndsvd<T: NMFScalar>(
        _ svd: RandomizedSVD.Result<T>, variant: InitializationMethod, mean: Double, seed: UInt32
    ) -> (w: Matrix<T>, h: Matrix<T>) {
        precondition(variant.needsSVD, "\(variant) is not an NNDSVD variant")
        let m = svd.u.rows, n = svd.vt.columns, k = svd.s.count
        var w = Matrix<T>(rows: m, columns: k)
        var h = Matrix<T>(rows: k, columns: n)
        // The leading singular pair of a non-negative matrix can be taken non-negative.
        let lead = svd.s[0].squareRoot()
        for i in 0..<m { w[i, 0] = lead * abs(svd.u[i, 0]) }
        for j in 0..<n { h[0, j] = lead * abs(svd.vt[0, j]) }

        for component in 1..<max(k, 1) {
            let x = (0..<m).map { svd.u[$0, component] }
            let y = (0..<n).map { svd.vt[component, $0] }
            let xPositive = x.map { max($0, 0) }, yPositive = y.map { max($0, 0) }
            let xNegative = x.map { abs(min($0, 0)) }, yNegative = y.map { abs(min($0, 0)) }
            let xPositiveNorm = euclideanNorm(xPositive), yPositiveNorm = euclideanNorm(yPositive)
            let xNegativeNorm = euclideanNorm(xNegative), yNegativeNorm = euclideanNorm(yNegative)
            let positiveMass = xPositiveNorm * yPositiveNorm
            let negativeMass = xNegativeNorm * yNegativeNorm
            let (u, v, uNorm, vNorm, sigma) = positiveMass > negativeMass
                ? (xPositive, yPositive, xPositiveNorm, yPositiveNorm, positiveMass)
                : (xNegative, yNegative, xNegativeNorm, yNegativeNorm, negativeMass)
            // A pair with no mass on either side (rank below k) would divide 0 by 0;
            // leaving its column zero lets the variant's fill rule handle it.
            guard sigma > 0 else { continue }
            let lambda = (svd.s[component] * sigma).squareRoot()
            for i in 0..<m { w[i, component] = lambda * (u[i] / uNorm) }
            for j in 0..<n { h[component, j] = lambda * (v[j] / vNorm) }
        }

        let threshold = T(truncation)
        for index in w.elements.indices where w.elements[index] < threshold { w.elements[index] = 0 }
        for index in h.elements.indices where h.elements[index] < threshold { h.elements[index] = 0 }

        switch variant {
        case .nndsvda:
            let fill = T(mean)
            for index in w.elements.indices where w.elements[index] == 0 { w.elements[index] = fill }
            for index in h.elements.indices where h.elements[index] == 0 { h.elements[index] = fill }
        case .nndsvdar:
            // scikit-learn multiplies the mean (in the data's precision) by float64
            // draws, then stores the result in the data's precision.
            let scale = Double(T(mean))
            var random = LegacyRandomState(seed: seed)
            for index in w.elements.indices where w.elements[index] == 0 {
                w.elements[index] = T(abs(scale * random.nextGaussian() / 100))
            }
            for index in h.elements.indices where h.elements[index] == 0 {
                h.elements[index] = T(abs(scale * random.nextGaussian() / 100))
            }
        default:
            break
        }
        return (w, h)
    }

    private static func euclideanNorm<T: NMFScalar>(_ vector: [T]) -> T {
        vector.reduce(T(0)) { $0 + $1 * $1 }.squareRoot()
    }
}
