import NMFKernels

/// Builds W₀ and H₀ for a fit: from the configuration's method on the data, or
/// checks the ones a user gave for `custom`.
enum InitialFactors {
    static func make<Data: RowBlockProvider>(
        for data: Data, summary: DataSummary, configuration: NMFConfiguration,
        method: InitializationMethod,
        customW: Matrix<Data.Element>?, customH: Matrix<Data.Element>?, threads: Int = 1
    ) throws -> (w: Matrix<Data.Element>, h: Matrix<Data.Element>) {
        let m = data.rows, n = data.columns, k = configuration.components
        switch method {
        case .custom:
            guard let customW else { throw NMFError.customInitMissing(factor: "W") }
            guard let customH else { throw NMFError.customInitMissing(factor: "H") }
            try check(customH, named: "H", shape: (k, n))
            try check(customW, named: "W", shape: (m, k))
            return (customW, customH)
        case .random:
            return Initialization.random(samples: m, features: n, components: k,
                                         mean: summary.mean, seed: configuration.seed)
        case .nndsvd, .nndsvda, .nndsvdar:
            let svd: RandomizedSVD.Result<Data.Element>
            do {
                svd = try RandomizedSVD.compute(data.linearOperator(threads: threads), components: k,
                                                seed: configuration.seed)
            } catch let error as DecompositionError {
                throw NMFError.decomposition(error.description)
            }
            return Initialization.nndsvd(svd, variant: method, mean: summary.mean,
                                         seed: configuration.seed)
        }
    }

    /// scikit-learn's `_check_init`: right shape, finite, non-negative, not all zero.
    static func check<T: NMFScalar>(_ factor: Matrix<T>, named name: String,
                                    shape: (rows: Int, columns: Int)) throws(NMFError) {
        guard factor.rows == shape.rows, factor.columns == shape.columns else {
            throw .customInitShape(factor: name, expected: [shape.rows, shape.columns],
                                   actual: [factor.rows, factor.columns])
        }
        var anyPositive = false
        for (offset, value) in factor.elements.enumerated() {
            let row = offset / max(factor.columns, 1), column = offset % max(factor.columns, 1)
            guard value.isFinite else { throw .customInitNotFinite(factor: name, row: row, column: column) }
            guard value >= 0 else {
                throw .customInitNegative(factor: name, row: row, column: column, value: Double(value))
            }
            if value > 0 { anyPositive = true }
        }
        guard anyPositive else { throw .customInitAllZero(factor: name) }
    }
}
