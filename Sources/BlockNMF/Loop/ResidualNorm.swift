import NMFKernels

extension RowBlockProvider {
    /// scikit-learn's `reconstruction_err_` of the final factors, from one more pass over
    /// V: ‖V − W·H‖_F for Frobenius, else √(2·D_β(V ‖ W·H)).
    func reconstructionError(w: FactorRows<Element>, h: Matrix<Element>, loss: BetaLoss, threads: Int,
                             reduction: some Reduction) throws -> Double {
        let factor = SampledFactor(h)
        let sums = try TilePass(data: self, threads: threads).sum(
            DivergenceSums(), reduction: reduction,
            prepare: { range in try w.read(range) },
            compute: { wRows, tile in
                // Sparse rows need W·H only at their values, but for β other than 1 and 2.
                if DivergenceSums.sumsAtValues(loss), let sampled = tile.sampled(w: wRows, factor),
                   let tileSums = DivergenceSums.of(sampled: sampled, factor: factor, loss: loss) {
                    return tileSums
                }
                var tileSums = DivergenceSums()
                for chunk in TileSchedule.denseChunks(of: tile.rows) {
                    let (rows, product) = (tile.rows(chunk), Matrix.product(wRows.rows(chunk), h))
                    tileSums.add(loss.isFrobenius ? DivergenceSums(dataTerms: rows.squaredDistance(to: product), modelTerms: 0)
                                     : DivergenceSums.of(data: rows, product: product, loss: loss))
                }
                return tileSums
            })
        return sums.reconstructionError(loss)
    }
}

/// The final error's sums: a tile's share is its own sums.
extension DivergenceSums: PassStatistics {
    mutating func add(following later: DivergenceSums) { add(later) }

    func encode(into buffer: inout StatisticsBuffer) {
        buffer.append(dataTerms)
        buffer.append(modelTerms)
    }

    init?(decoding reader: inout StatisticsReader, shapedLike _: DivergenceSums) {
        guard let dataTerms = reader.double(), let modelTerms = reader.double() else { return nil }
        self.init(dataTerms: dataTerms, modelTerms: modelTerms)
    }
}
