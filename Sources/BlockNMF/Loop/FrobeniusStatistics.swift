import NMFKernels

/// What a Frobenius pass sums over its tiles. Each tile's products are formed in T (BLAS at
/// T's speed, over a tile's rows), their sum over the tiles in Double: in float32 the
/// rounding of the sums then grows with a tile's rows, not with V's, so the loss identity
/// and H's update stay as accurate for a billion rows as for a thousand.
struct FrobeniusStatistics<T: NMFScalar>: PassStatistics {
    /// Wᵀ·V (k×n) with the new W; k×0 when H is fixed.
    var wtv: Matrix<Double>
    /// Wᵀ·W (k×k) with the new W.
    var wtw: Matrix<Double>
    /// The update rule's projected-gradient violation over W's rows.
    var violation = 0.0
    /// ⟨V, W·H⟩ with the new W, for the loss when H is fixed.
    var dataCross = 0.0
    /// ⟨V, W₀·H⟩ and W₀ᵀ·W₀ before the update, on the first pass only: the initial loss.
    var initialCross = 0.0
    var initialGram: Matrix<Double>

    /// A tile's share: Wₜᵀ·Vₜ as the product left it (sparse tiles give it transposed).
    struct TileShare: Sendable {
        var wtv: ProductShare<T>
        var wtw: Matrix<T>
        var violation: Double
        var dataCross: Double
        var initialCross: Double
        var initialGram: Matrix<T>?
    }

    /// `sumsDataProduct`: Wᵀ·V is summed (H is learned).
    init(components k: Int, columns n: Int, sumsDataProduct: Bool) {
        wtv = Matrix(rows: k, columns: sumsDataProduct ? n : 0)
        wtw = Matrix(rows: k, columns: k)
        initialGram = Matrix(rows: k, columns: k)
    }

    mutating func add(_ share: TileShare) {
        if wtv.columns > 0 { share.wtv.add(into: &wtv) }
        wtw.add(converting: share.wtw)
        violation += share.violation
        dataCross += share.dataCross
        initialCross += share.initialCross
        if let gram = share.initialGram { initialGram.add(converting: gram) }
    }

    mutating func add(following later: Self) {
        wtv.add(later.wtv)
        wtw.add(later.wtw)
        violation += later.violation
        dataCross += later.dataCross
        initialCross += later.initialCross
        initialGram.add(later.initialGram)
    }

    func encode(into buffer: inout StatisticsBuffer) {
        buffer.append(wtv)
        buffer.append(wtw)
        buffer.append(initialGram)
        for value in [violation, dataCross, initialCross] { buffer.append(value) }
    }

    init?(decoding reader: inout StatisticsReader, shapedLike template: Self) {
        guard let wtv = reader.matrix(like: template.wtv), let wtw = reader.matrix(like: template.wtw),
              let initialGram = reader.matrix(like: template.initialGram), let violation = reader.double(),
              let dataCross = reader.double(), let initialCross = reader.double() else { return nil }
        (self.wtv, self.wtw, self.initialGram) = (wtv, wtw, initialGram)
        (self.violation, self.dataCross, self.initialCross) = (violation, dataCross, initialCross)
    }
}
