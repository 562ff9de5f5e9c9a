@testable import NMFKernels
import XCTest

/// The sparse kernels against the same computation on the dense matrix, formed here
/// entry by entry from the triplets (the independent oracle).
final class SparseKernelTests: XCTestCase {
    /// A random sparse m×n matrix as row triplets, each row's columns shuffled and some
    /// repeated (non-canonical input), and the dense matrix they add up to.
    private func randomSparse(rows: Int, columns: Int, density: Double, seed: UInt32)
        -> (rows: CompressedRows<Double>, dense: Matrix<Double>)
    {
        var random = LegacyRandomState(seed: seed)
        var dense = Matrix<Double>(rows: rows, columns: columns)
        var offsets = [0], indices: [Int32] = [], values: [Double] = []
        for row in 0..<rows {
            var entries: [(Int32, Double)] = []
            for column in 0..<columns where random.nextUniform() < density {
                entries.append((Int32(column), random.nextUniform()))
                if random.nextUniform() < 0.1 { entries.append((Int32(column), random.nextUniform())) }
            }
            // A deterministic shuffle: reversed halves.
            let middle = entries.count / 2
            entries = Array(entries[middle...].reversed()) + Array(entries[..<middle])
            for (column, value) in entries {
                indices.append(column)
                values.append(value)
                dense[row, Int(column)] += value
            }
            offsets.append(indices.count)
        }
        return (CompressedRows(columns: columns, offsets: offsets, columnIndices: indices, values: values), dense)
    }

    func testRowsGivenOutOfOrderOrRepeatedAreKeptCanonicalWithTheirSums() {
        let (sparse, dense) = randomSparse(rows: 40, columns: 30, density: 0.3, seed: 1)
        for row in 0..<sparse.rows {
            let columns = sparse.columnIndices[sparse.offsets[row]..<sparse.offsets[row + 1]]
            XCTAssertEqual(Array(columns), columns.sorted(), "row \(row) sorted")
            XCTAssertEqual(Set(columns).count, columns.count, "row \(row) without repeats")
        }
        var densified = [Double](repeating: -1, count: 40 * 30)
        densified.withUnsafeMutableBufferPointer { sparse.densify(0..<40, into: $0) }
        XCTAssertEqual(densified, dense.elements)
    }

    /// The statistics of sparse rows read from their values: the same sums, the same first
    /// zero and first invalid value (offsets in row-major order) as over the dense rows.
    func testStatisticsFromTheValuesEqualThoseOfTheDenseRows() {
        let cases: [(String, [Int], [Int32], [Double])] = [
            ("a full first row, a gap later", [0, 3, 4], [0, 1, 2, 1], [1, 2, 3, 4]),
            ("a stored zero before any gap", [0, 3, 6], [0, 1, 2, 0, 1, 2], [1, 0, 3, 4, 5, 6]),
            ("an empty row", [0, 3, 3, 4], [0, 1, 2, 2], [1, 2, 3, 4]),
            ("a negative value after a gap", [0, 3, 5], [0, 1, 2, 0, 2], [1, 2, 3, 5, -1]),
            ("a negative value with no zero before", [0, 2], [0, 1], [-2, 1]),
            ("NaN in a full row", [0, 3], [0, 1, 2], [1, .nan, 2]),
            ("no zero at all", [0, 3, 6], [0, 1, 2, 0, 1, 2], [1, 2, 3, 4, 5, 6]),
            ("a stored zero after a gap", [0, 2], [0, 2], [1, 0]),
            ("an invalid value after a stored zero", [0, 3], [0, 1, 2], [0, -1, 1]),
        ]
        for (name, offsets, indices, values) in cases {
            let sparse = CompressedRows(columns: 3, offsets: offsets, columnIndices: indices, values: values)
            var dense = Matrix<Double>(rows: sparse.rows, columns: 3)
            dense.elements.withUnsafeMutableBufferPointer { sparse.densify(0..<sparse.rows, into: $0) }
            let fromValues = MatrixRows(sparse, rows: 0..<sparse.rows).statistics()
            let fromDense = MatrixRows(dense).statistics()
            XCTAssertEqual(fromValues.sum, fromDense.sum, name)
            XCTAssertEqual(fromValues.squares, fromDense.squares, name)
            XCTAssertEqual(fromValues.firstZero, fromDense.firstZero, name)
            XCTAssertEqual(fromValues.firstInvalid?.offset, fromDense.firstInvalid?.offset, name)
        }
        let (sparse, dense) = randomSparse(rows: 50, columns: 20, density: 0.9, seed: 2)
        for rows in [0..<50, 7..<31] {
            let fromValues = MatrixRows(sparse, rows: rows).statistics()
            let fromDense = MatrixRows(dense, rows: rows).statistics()
            XCTAssertEqual(fromValues.sum, fromDense.sum)
            XCTAssertEqual(fromValues.squares, fromDense.squares)
            XCTAssertEqual(fromValues.firstZero, fromDense.firstZero)
            XCTAssertNil(fromValues.firstInvalid)
        }
    }

    /// W·H at the values, and the sums over every entry formed from the factors, against
    /// the dense product.
    func testSampledProductsAndTheirSumsEqualTheDenseProduct() throws {
        let (m, n, k) = (37, 23, 5)
        let (sparse, dense) = randomSparse(rows: m, columns: n, density: 0.2, seed: 3)
        var random = LegacyRandomState(seed: 4)
        let w = Matrix<Double>(rows: m, columns: k) { _, _ in random.nextUniform() }
        let h = Matrix<Double>(rows: k, columns: n) { _, _ in random.nextUniform() }
        let product = Matrix.product(w, h)
        let factor = SampledFactor(h)
        let rows = 5..<30
        let sampled = try XCTUnwrap(MatrixRows(sparse, rows: rows).sampled(w: w.rows(rows), factor))
        var position = 0
        var squaredDistance = 0.0, productSum = 0.0
        for row in rows {
            for column in 0..<n {
                let (v, p) = (dense[row, column], product[row, column])
                squaredDistance += (v - p) * (v - p)
                productSum += p
                guard v != 0 else { continue }
                XCTAssertEqual(sampled.values[sampled.values.startIndex + position], v)
                XCTAssertEqual(sampled.products[position], p, accuracy: 1e-14 * p)
                position += 1
            }
        }
        XCTAssertEqual(position, sampled.products.count)
        XCTAssertEqual(sampled.squaredDistance(factor), squaredDistance, accuracy: 1e-12 * squaredDistance)
        XCTAssertEqual(sampled.productSum(factor), productSum, accuracy: 1e-12 * productSum)
        let sums = try XCTUnwrap(DivergenceSums.of(sampled: sampled, factor: factor, loss: .frobenius))
        XCTAssertEqual(sums.dataTerms, squaredDistance, accuracy: 1e-12 * squaredDistance)
        XCTAssertNil(DivergenceSums.of(sampled: sampled, factor: factor, loss: BetaLoss(beta: 1.5)))

        // Other values at the same places: the rows V ⊘ W·H multiply as sparse rows.
        let ratios = sampled.rows(withValues: zip(sampled.values, sampled.products).map { $0 / $1 })
        let expected = Matrix<Double>(rows: rows.count, columns: n) { i, j in
            dense[rows.lowerBound + i, j] == 0 ? 0 : dense[rows.lowerBound + i, j] / product[rows.lowerBound + i, j]
        }
        let ht = h.transposed()
        XCTAssertLessThan(Matrix.product(ratios, MatrixRows(ht)).relativeDifference(to: Matrix.product(expected, ht)), 1e-14)
    }

    /// W·H at the values on every path, in float32 and float64, for widths that fill whole
    /// vectors and widths that leave columns over, against the dense product in Double.
    func testSampledProductsOfEveryWidthOnEveryPath() {
        checkSampledProducts(Float.self, tolerance: 1e-6)
        checkSampledProducts(Double.self, tolerance: 1e-14)
    }

    private func checkSampledProducts<T: NMFScalar>(_: T.Type, tolerance: Double) {
        let (sparse, dense) = randomSparse(rows: 41, columns: 300, density: 0.1, seed: 12)
        let rows: CompressedRows<T> = converted(sparse)
        var random = LegacyRandomState(seed: 13)
        let range = 3..<41
        for k in [1, 2, 3, 4, 5, 7, 8, 13, 20, 37] {
            let w = Matrix<Double>(rows: range.count, columns: k) { _, _ in random.nextUniform() }
            let ht = Matrix<Double>(rows: 300, columns: k) { _, _ in random.nextUniform() }
            let expected = Matrix.product(w, ht, transB: .transposed)
            let (wT, htT) = (w.elements.map { T($0) }, ht.elements.map { T($0) })
            for fused in paths {
                let products = wT.withUnsafeBufferPointer { pw in
                    htT.withUnsafeBufferPointer { pht in
                        rows.sampledProducts(range, w: pw.baseAddress!, ht: pht.baseAddress!, components: k, fused: fused)
                    }
                }
                var position = 0
                for (local, row) in range.enumerated() {
                    for column in 0..<300 where dense[row, column] != 0 {
                        let p = expected[local, column]
                        XCTAssertEqual(Double(products[position]), p, accuracy: tolerance * p,
                                       "\(T.precisionName), k = \(k), fused \(fused), row \(row), column \(column)")
                        position += 1
                    }
                }
                XCTAssertEqual(position, products.count, "\(T.precisionName), k = \(k)")
            }
        }
    }

    /// Wᵀ·V from sparse rows is formed as its transpose and added into a k×n total as Wᵀ·V.
    func testProductSharesAddUpToTheDenseProduct() {
        let (sparse, dense) = randomSparse(rows: 29, columns: 17, density: 0.3, seed: 5)
        var random = LegacyRandomState(seed: 6)
        let w = Matrix<Double>(rows: 29, columns: 4) { _, _ in random.nextUniform() }
        var total = Matrix<Double>(rows: 4, columns: 17)
        for rows in [0..<10, 10..<29] {
            let share = ProductShare(w: w.rows(rows), timesRows: MatrixRows(sparse, rows: rows))
            XCTAssertTrue(share.isTransposed)
            share.add(into: &total)
        }
        let expected = Matrix.product(w, dense, transA: .transposed)
        XCTAssertLessThan(total.relativeDifference(to: expected), 1e-14)
        var denseTotal = Matrix<Double>(rows: 4, columns: 17)
        ProductShare(w: w, timesRows: MatrixRows(dense)).add(into: &denseTotal)
        XCTAssertLessThan(denseTotal.relativeDifference(to: expected), 1e-14)
    }

    /// The same rows in precision T.
    private func converted<T: NMFScalar>(_ sparse: CompressedRows<Double>) -> CompressedRows<T> {
        CompressedRows<T>(columns: sparse.columns, offsets: sparse.offsets, columnIndices: sparse.columnIndices,
                          values: sparse.values.map { T($0) })
    }

    /// alpha·V·Y + beta·R (b×q) and alpha·Vᵀ·W + beta·S (n×q) of rows `range`, through the
    /// vector kernels or the portable code; R and S are zero unless given.
    private func products<T: NMFScalar>(_ rows: CompressedRows<T>, _ range: Range<Int>, y: Matrix<T>, w: Matrix<T>,
                                        alpha: T = 1, beta: T = 0, adding initial: (Matrix<T>, Matrix<T>)? = nil,
                                        fused: Bool) -> (gathered: Matrix<T>, scattered: Matrix<T>) {
        let q = y.columns
        var (gathered, scattered) = initial ?? (Matrix<T>(rows: range.count, columns: q),
                                                Matrix<T>(rows: rows.columns, columns: q))
        y.elements.withUnsafeBufferPointer { y in
            gathered.elements.withUnsafeMutableBufferPointer { result in
                rows.multiply(range, by: y.baseAddress!, columns: q, alpha: alpha, beta: beta,
                              into: result.baseAddress!, fused: fused)
            }
        }
        w.elements.withUnsafeBufferPointer { w in
            scattered.elements.withUnsafeMutableBufferPointer { result in
                rows.multiplyTransposed(range, by: w.baseAddress!, columns: q, alpha: alpha, beta: beta,
                                        into: result.baseAddress!, fused: fused)
            }
        }
        return (gathered, scattered)
    }

    /// The paths this machine can run: the portable Swift code, and the vector kernels where the
    /// processor has them — or, off x86-64, their portable C versions, which run anywhere.
    private var paths: [Bool] {
        #if arch(x86_64)
        vectorKernelsAvailable ? [false, true] : [false]
        #else
        [false, true]
        #endif
    }

    /// alpha scales the products and beta what the result held: alpha·V·Y + beta·R and
    /// alpha·Vᵀ·W + beta·S on every path, both precisions, against Double.
    func testProductsScaleByAlphaAndKeepBetaOfTheResult() {
        checkAlphaAndBeta(Float.self, tolerance: 1e-5)
        checkAlphaAndBeta(Double.self, tolerance: 1e-13)
    }

    private func checkAlphaAndBeta<T: NMFScalar>(_: T.Type, tolerance: Double) {
        let (sparse, dense) = randomSparse(rows: 30, columns: 400, density: 0.05, seed: 14)
        let rows: CompressedRows<T> = converted(sparse)
        var random = LegacyRandomState(seed: 15)
        let (alpha, beta) = (0.75, 1.0)
        for width in [20, 21] {
            let y = Matrix<Double>(rows: 400, columns: width) { _, _ in random.nextUniform() }
            let w = Matrix<Double>(rows: 30, columns: width) { _, _ in random.nextUniform() }
            let r = Matrix<Double>(rows: 30, columns: width) { _, _ in random.nextUniform() }
            let sTotal = Matrix<Double>(rows: 400, columns: width) { _, _ in random.nextUniform() }
            let expectedGathered = Matrix<Double>(rows: 30, columns: width) { i, c in
                alpha * (0..<400).reduce(0) { $0 + dense[i, $1] * y[$1, c] } + beta * r[i, c]
            }
            let expectedScattered = Matrix<Double>(rows: 400, columns: width) { j, c in
                alpha * (0..<30).reduce(0) { $0 + dense[$1, j] * w[$1, c] } + beta * sTotal[j, c]
            }
            func inPrecision(_ m: Matrix<Double>) -> Matrix<T> {
                Matrix<T>(rows: m.rows, columns: m.columns, elements: m.elements.map { T($0) })
            }
            for fused in paths {
                let (gathered, scattered) = products(rows, 0..<30, y: inPrecision(y), w: inPrecision(w),
                                                     alpha: T(alpha), beta: T(beta),
                                                     adding: (inPrecision(r), inPrecision(sTotal)), fused: fused)
                let name = "\(T.precisionName), width \(width), vector kernels \(fused)"
                XCTAssertLessThan(Matrix<Double>(rows: 30, columns: width, elements: gathered.elements.map { Double($0) })
                    .relativeDifference(to: expectedGathered), tolerance, "V·Y, \(name)")
                XCTAssertLessThan(Matrix<Double>(rows: 400, columns: width, elements: scattered.elements.map { Double($0) })
                    .relativeDifference(to: expectedScattered), tolerance, "Vᵀ·W, \(name)")
            }
        }
    }

    /// Products of sparse rows in float32 and float64 against the dense product formed in
    /// Double, on every path: widths that fill whole vectors and widths that leave columns over,
    /// one pass of columns or several, one band of columns or several (5000 columns of 20 and
    /// more floats exceed a band); and through the public products.
    func testProductsOfEveryWidthAgreeWithTheDenseProduct() {
        checkProductsOfEveryWidth(Float.self, tolerance: 1e-5)
        checkProductsOfEveryWidth(Double.self, tolerance: 1e-13)
    }

    private func checkProductsOfEveryWidth<T: NMFScalar>(_: T.Type, tolerance: Double) {
        let (sparse, dense) = randomSparse(rows: 33, columns: 5000, density: 0.01, seed: 7)
        let rows: CompressedRows<T> = converted(sparse)
        var random = LegacyRandomState(seed: 8)
        for width in [1, 3, 4, 7, 8, 13, 16, 20, 21, 24, 30, 35, 40, 45, 64] {
            let y = Matrix<Double>(rows: 5000, columns: width) { _, _ in random.nextUniform() }
            let w = Matrix<Double>(rows: 33, columns: width) { _, _ in random.nextUniform() }
            let (yT, wT) = (Matrix<T>(rows: 5000, columns: width, elements: y.elements.map { T($0) }),
                            Matrix<T>(rows: 33, columns: width, elements: w.elements.map { T($0) }))
            let (expectedGathered, expectedScattered) = (Matrix.product(dense, y),
                                                         Matrix.product(dense, w, transA: .transposed))
            func assertClose(_ gathered: Matrix<T>, _ scattered: Matrix<T>, _ name: String) {
                let name = "\(T.precisionName), width \(width), \(name)"
                XCTAssertLessThan(Matrix<Double>(rows: 33, columns: width, elements: gathered.elements.map { Double($0) })
                    .relativeDifference(to: expectedGathered), tolerance, "V·Y, \(name)")
                XCTAssertLessThan(Matrix<Double>(rows: 5000, columns: width, elements: scattered.elements.map { Double($0) })
                    .relativeDifference(to: expectedScattered), tolerance, "Vᵀ·W, \(name)")
            }
            for fused in paths {
                let (gathered, scattered) = products(rows, 0..<33, y: yT, w: wT, fused: fused)
                assertClose(gathered, scattered, fused ? "vector kernels" : "portable")
            }
            let share = ProductShare(w: wT, timesRows: MatrixRows(rows, rows: 0..<33))
            var sharedTransposed = Matrix<T>(rows: width, columns: 5000)
            share.add(into: &sharedTransposed)
            assertClose(Matrix.product(MatrixRows(rows, rows: 0..<33), MatrixRows(yT)),
                        sharedTransposed.transposed(), "public products")
        }
    }

    /// Each sum adds its terms in value order on every path — the vector kernels, and the
    /// portable code visiting several column bands of 5000 columns: products over rows 7..<33
    /// (a range not starting at 0) equal, bit for bit, the same products formed here a value at
    /// a time in row order, rounding as the path does (once per term in the vector kernels).
    func testSparseProductsAddEachSumInValueOrder() {
        checkSumsInValueOrder(Float.self)
        checkSumsInValueOrder(Double.self)
    }

    private func checkSumsInValueOrder<T: NMFScalar>(_: T.Type) {
        let (sparse, _) = randomSparse(rows: 33, columns: 5000, density: 0.01, seed: 9)
        let rows: CompressedRows<T> = converted(sparse)
        var random = LegacyRandomState(seed: 10)
        for width in [20, 21] {
            let y = Matrix<T>(rows: 5000, columns: width) { _, _ in T(random.nextUniform()) }
            let w = Matrix<T>(rows: 26, columns: width) { _, _ in T(random.nextUniform()) }
            for fused in paths {
                var gathered = Matrix<T>(rows: 26, columns: width), scattered = Matrix<T>(rows: 5000, columns: width)
                for (local, row) in (7..<33).enumerated() {
                    for position in rows.offsets[row]..<rows.offsets[row + 1] {
                        let (column, value) = (Int(rows.columnIndices[position]), rows.values[position])
                        for c in 0..<width {
                            if fused {
                                gathered[local, c].addProduct(value, y[column, c])
                                scattered[column, c].addProduct(value, w[local, c])
                            } else {
                                gathered[local, c] += value * y[column, c]
                                scattered[column, c] += value * w[local, c]
                            }
                        }
                    }
                }
                let name = "\(T.precisionName), width \(width), vector kernels \(fused)"
                let formed = products(rows, 7..<33, y: y, w: w, fused: fused)
                XCTAssertTrue(formed.gathered == gathered, "V·Y, \(name)")
                XCTAssertTrue(formed.scattered == scattered, "Vᵀ·W, \(name)")
            }
        }
    }
}
