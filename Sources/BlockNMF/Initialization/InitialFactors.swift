import HDF5Store
import NMFKernels

/// A starting factor the user gave (`custom`), handed out a block of rows at a time
/// once its shape is checked: a matrix in memory, or a dataset of a file.
struct GivenFactor<T: NMFScalar> {
    /// Checks the shape against `expected`, then calls `body` with each block of rows in order.
    let visit: (_ expected: (rows: Int, columns: Int), _ blockRows: Int,
                _ body: (_ firstRow: Int, _ rows: Matrix<T>) throws -> Void) throws -> Void

    static func matrix(_ matrix: Matrix<T>, named name: String) -> GivenFactor {
        GivenFactor { expected, blockRows, body in
            try InitialFactors.checkShape(named: name, actual: (matrix.rows, matrix.columns), expected: expected)
            for start in stride(from: 0, to: matrix.rows, by: blockRows) {
                try body(start, matrix.rows(start..<min(start + blockRows, matrix.rows)))
            }
        }
    }
}

extension GivenFactor where T: HDF5Scalar {
    static func dataset(_ reference: DatasetReference, named name: String) -> GivenFactor {
        GivenFactor { expected, blockRows, body in
            let source = try DenseRowBlockSource<T>(file: try HDF5File.openReadOnly(reference.file),
                                                    dataset: reference.dataset, blockRows: blockRows)
            try InitialFactors.checkShape(named: name, actual: (source.rows, source.columns), expected: expected)
            var buffer = [T](repeating: 0, count: blockRows * expected.columns)
            for start in stride(from: 0, to: expected.rows, by: blockRows) {
                let count = min(blockRows, expected.rows - start)
                try source.readRows(start..<(start + count), into: &buffer)
                try body(start, Matrix(rows: count, columns: expected.columns,
                                       elements: Array(buffer[0..<(count * expected.columns)])))
            }
        }
    }
}

/// W₀ and H₀ for a fit, by one path wherever W lives: W₀ is written into `FactorRows` as it
/// is made — drawn (`random`), copied from the user's factor and checked (`custom`), or from
/// the randomized SVD (the NNDSVD family, which needs W in memory).
enum InitialFactors {
    /// Rows of W made, checked and written at a time.
    static let blockRows = 64 * TileSchedule.rowsPerTile

    /// Writes W₀ into `w` and returns H₀.
    static func place<Data: RowBlockProvider>(
        into w: FactorRows<Data.Element>, for data: Data, summary: DataSummary, configuration: NMFConfiguration,
        method: InitializationMethod, givenW: GivenFactor<Data.Element>?, givenH: Matrix<Data.Element>?,
        threads: Int = 1
    ) throws -> Matrix<Data.Element> {
        let m = data.rows, n = data.columns, k = configuration.components
        switch method {
        case .custom:
            guard let givenW else { throw NMFError.customInitMissing(factor: "W") }
            guard let givenH else { throw NMFError.customInitMissing(factor: "H") }
            try check(givenH, named: "H", shape: (k, n))
            try copy(givenW, into: w, shape: (m, k))
            return givenH
        case .random:
            return try Initialization.random(samples: m, features: n, components: k, mean: summary.mean,
                                             seed: configuration.seed, wBlockRows: blockRows) { first, rows in
                try w.write(rows, at: first)
            }
        case .sample:
            let h = try RowSample.initialH(for: data, configuration: configuration, threads: threads)
            try fill(w, shape: (m, k), with: transformStart(solver: configuration.solver, mean: summary.mean,
                                                            components: k))
            return h
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
            let (w0, h0) = Initialization.nndsvd(svd, variant: method, mean: summary.mean, seed: configuration.seed)
            try w.write(w0, at: 0)
            return h0
        }
    }

    /// Where W starts when H is given (`transform`, `sample`): zeros, or √(mean(V)/k) for
    /// `mu`, which cannot move away from zeros.
    static func transformStart<T: NMFScalar>(solver: Solver, mean: Double, components k: Int) -> T {
        solver == .mu ? (T(mean) / T(k)).squareRoot() : 0
    }

    private static func fill<T: NMFScalar>(_ w: FactorRows<T>, shape: (rows: Int, columns: Int), with value: T) throws {
        for start in stride(from: 0, to: shape.rows, by: blockRows) {
            let count = min(blockRows, shape.rows - start)
            try w.write(Matrix(rows: count, columns: shape.columns, repeating: value), at: start)
        }
    }

    /// The user's W, checked a block of rows at a time as it is written into `w`.
    private static func copy<T: NMFScalar>(_ given: GivenFactor<T>, into w: FactorRows<T>,
                                           shape: (rows: Int, columns: Int)) throws {
        var anyPositive = false
        try given.visit(shape, blockRows) { first, rows in
            if try checkValues(rows, firstRow: first, named: "W") { anyPositive = true }
            try w.write(rows, at: first)
        }
        guard anyPositive else { throw NMFError.customInitAllZero(factor: "W") }
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
