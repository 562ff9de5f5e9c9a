#if canImport(Glibc)
import Glibc
#endif

/// The β-divergence D(V ‖ W·H) as sums over entries, in Double, so that it can be
/// accumulated tile by tile (in tile order) and finished once: scikit-learn's
/// `_beta_divergence`, with its guards — entries where v ≤ EPSILON leave out the
/// terms that involve v (0·log 0 = 0, and 0 to a negative power is not taken), and
/// W·H is raised to EPSILON where it divides or is logged.
public struct DivergenceSums: Sendable, Equatable {
    /// The terms that involve v (over entries with v > EPSILON).
    public var dataTerms = 0.0
    /// The terms of W·H alone (over every entry).
    public var modelTerms = 0.0

    public init() {}

    public init(dataTerms: Double, modelTerms: Double) {
        self.dataTerms = dataTerms
        self.modelTerms = modelTerms
    }

    public mutating func add(_ other: DivergenceSums) {
        dataTerms += other.dataTerms
        modelTerms += other.modelTerms
    }

    /// D(V ‖ W·H) for the entries summed.
    public func divergence(_ loss: BetaLoss) -> Double {
        let beta = loss.beta
        switch beta {
        case 2: return dataTerms / 2
        case 1, 0: return dataTerms + modelTerms
        default: return (dataTerms + modelTerms) / (beta * (beta - 1))
        }
    }

    /// √(2·D), scikit-learn's `reconstruction_err_` (‖V − W·H‖_F for β = 2); a
    /// divergence that rounding made slightly negative counts as 0.
    public func reconstructionError(_ loss: BetaLoss) -> Double {
        (2 * max(divergence(loss), 0)).squareRoot()
    }

    /// v·log(v / wh) − v, with wh raised to EPSILON, for an entry with v > EPSILON.
    @inlinable @inline(__always) static func kullbackLeiblerTerm(_ x: Double, _ y: Double, epsilon: Double) -> Double {
        x * log(x / max(y, epsilon)) - x
    }

    /// The sums over rows of V and the same rows of W·H.
    @inlinable public static func of<T: NMFScalar>(data: MatrixRows<T>, product: Matrix<T>, loss: BetaLoss)
        -> DivergenceSums
    {
        precondition(product.rows == data.rows && product.columns == data.columns, "shapes differ")
        let beta = loss.beta
        let epsilon = Double(T.nmfEpsilon)
        return data.withElements { v in
            product.elements.withUnsafeBufferPointer { wh in
                var sums = DivergenceSums()
                switch beta {
                case 2:
                    for index in v.indices {
                        let delta = Double(v[index]) - Double(wh[index])
                        sums.dataTerms += delta * delta
                    }
                case 1:
                    // Σ v·log(v / wh) − Σ v + Σ wh
                    for index in v.indices {
                        let x = Double(v[index]), y = Double(wh[index])
                        sums.modelTerms += y
                        guard x > epsilon else { continue }
                        sums.dataTerms += Self.kullbackLeiblerTerm(x, y, epsilon: epsilon)
                    }
                case 0:
                    // Σ (v / wh − log(v / wh)) − (number of entries)
                    sums.modelTerms = -Double(v.count)
                    for index in v.indices {
                        let x = Double(v[index])
                        guard x > epsilon else { continue }
                        let ratio = x / max(Double(wh[index]), epsilon)
                        sums.dataTerms += ratio - log(ratio)
                    }
                default:
                    // Σ v^β − β Σ v·wh^(β−1) + (β − 1) Σ wh^β, all over β(β − 1)
                    for index in v.indices {
                        let x = Double(v[index]), y = Double(wh[index])
                        sums.modelTerms += (beta - 1) * Double.numpyPower(y, beta)
                        guard x > epsilon else { continue }
                        sums.dataTerms += Double.numpyPower(x, beta) - beta * x * Double.numpyPower(max(y, epsilon), beta - 1)
                    }
                }
                return sums
            }
        }
    }

    /// Whether `of(sampled:)` serves the loss: Frobenius and Kullback-Leibler, whose terms of
    /// W·H alone over every entry come from the factors; other losses' Σ (W·H)^β needs every entry.
    public static func sumsAtValues(_ loss: BetaLoss) -> Bool { loss.beta == 2 || loss.beta == 1 }

    /// The sums over sparse rows from their values and W·H at them alone (`sumsAtValues`);
    /// nil for other losses.
    @inlinable public static func of<T: NMFScalar>(sampled tile: SampledTile<T>, factor: SampledFactor<T>, loss: BetaLoss)
        -> DivergenceSums?
    {
        switch loss.beta {
        case 2:
            return DivergenceSums(dataTerms: tile.squaredDistance(factor), modelTerms: 0)
        case 1:
            let epsilon = Double(T.nmfEpsilon)
            var sums = DivergenceSums(dataTerms: 0, modelTerms: tile.productSum(factor))
            for (value, product) in zip(tile.values, tile.products) {
                let x = Double(value)
                guard x > epsilon else { continue }
                sums.dataTerms += Self.kullbackLeiblerTerm(x, Double(product), epsilon: epsilon)
            }
            return sums
        default:
            return nil
        }
    }
}
