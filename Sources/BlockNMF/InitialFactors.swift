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
                if error.inputNotFinite {
                    throw NMFError.overflow(source: data.sourceDescription, precision: Data.Element.precisionName)
                }
                throw NMFError.decomposition(error.description)
            }
            return Initialization.nndsvd(svd, variant: method, mean: summary.mean,
                                         seed: configuration.seed)
        }
    }

    /// scikit-learn's `_check_init`: right shape, finite, non-negative, not all zero.
    static func check<T: NMFScalar>(_ factor: Matrix<T>, named name: String,
                                    shape: (rows: Int, columns: Int)) throws(NMFError) {
        try checkShape(named: name, actual: (factor.rows, factor.columns), expected: shape)
        guard try checkValues(factor, firstRow: 0, named: name) else { throw .customInitAllZero(factor: name) }
    }

    static func checkShape(named name: String, actual: (rows: Int, columns: Int),
                           expected: (rows: Int, columns: Int)) throws(NMFError) {
        guard actual == expected else {
            throw .customInitShape(factor: name, expected: [expected.rows, expected.columns],
                                   actual: [actual.rows, actual.columns])
        }
    }

    /// Checks the rows of a factor that start at `firstRow`; returns whether any is positive.
    static func checkValues<T: NMFScalar>(_ rows: Matrix<T>, firstRow: Int, named name: String) throws(NMFError)
        -> Bool
    {
        var anyPositive = false
        let columns = max(rows.columns, 1)
        for (offset, value) in rows.elements.enumerated() {
            let row = firstRow + offset / columns, column = offset % columns
            guard value.isFinite else { throw .customInitNotFinite(factor: name, row: row, column: column) }
            guard value >= 0 else {
                throw .customInitNegative(factor: name, row: row, column: column, value: Double(value))
            }
            if value > 0 { anyPositive = true }
        }
        return anyPositive
    }
}
