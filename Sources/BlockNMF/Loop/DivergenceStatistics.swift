import NMFKernels

/// What a β-divergence pass (β ≠ 2) sums over its tiles.
struct DivergenceStatistics<T: NMFScalar>: PassStatistics {
    /// H's numerator Wᵀ·[V ⊙ (W·H)^(β−2)] (k×n); k×0 when H is fixed.
    var numerator: Matrix<T>
    /// H's denominator: Wᵀ·(W·H)^(β−1) (k×n), W's column sums (k×1) for Kullback-Leibler;
    /// k×0 when H is fixed.
    var denominator: Matrix<T>
    /// The divergence of the factors the pass started from, on the passes that evaluate it.
    var divergence = DivergenceSums()

    /// A tile's share, with the tile's new rows of W.
    struct TileShare: Sendable {
        var w: Matrix<T>
        /// H's numerator share (k×n); empty when H is fixed.
        var hNumerator: ProductShare<T>
        /// H's denominator share: k×n, or k×1 column sums of the new Wₜ for Kullback-Leibler.
        var hDenominator: Matrix<T>
        /// D(Vₜ ‖ Wₜ·H) for the Wₜ and H the pass started from.
        var divergence: DivergenceSums?
    }

    /// `sumsHShares`: H's numerator and denominator are summed (H is learned).
    init(components k: Int, columns n: Int, loss: BetaLoss, sumsHShares: Bool) {
        numerator = Matrix(rows: k, columns: sumsHShares ? n : 0)
        denominator = Matrix(rows: k, columns: !sumsHShares ? 0 : loss.beta == 1 ? 1 : n)
    }

    mutating func add(_ share: TileShare) {
        if numerator.columns > 0 { share.hNumerator.add(into: &numerator) }
        if denominator.columns > 0 { denominator.add(share.hDenominator) }
        if let tileDivergence = share.divergence { divergence.add(tileDivergence) }
    }

    mutating func add(following later: Self) {
        numerator.add(later.numerator)
        denominator.add(later.denominator)
        divergence.add(later.divergence)
    }

    func encode(into buffer: inout StatisticsBuffer) {
        buffer.append(numerator)
        buffer.append(denominator)
        buffer.append(divergence.dataTerms)
        buffer.append(divergence.modelTerms)
    }

    init?(decoding reader: inout StatisticsReader, shapedLike template: Self) {
        guard let numerator = reader.matrix(like: template.numerator),
              let denominator = reader.matrix(like: template.denominator),
              let dataTerms = reader.double(), let modelTerms = reader.double() else { return nil }
        (self.numerator, self.denominator) = (numerator, denominator)
        divergence = DivergenceSums(dataTerms: dataTerms, modelTerms: modelTerms)
    }
}
