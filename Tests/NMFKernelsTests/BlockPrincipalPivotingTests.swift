import Foundation
@testable import NMFKernels
import XCTest

final class BlockPrincipalPivotingTests: XCTestCase {
    // MARK: Problems built from A and B, so that G = AᵀA and C = AᵀB

    private struct Problem {
        var a: Matrix<Double>       // m×k
        var b: Matrix<Double>       // m×r
        /// AᵀA by plain sums, apart from the library's products.
        var gram: Matrix<Double> {
            Matrix(rows: a.columns, columns: a.columns) { i, l in
                (0..<a.rows).reduce(0.0) { $0 + a[$1, i] * a[$1, l] }
            }
        }
        var rightHandSides: Matrix<Double> {
            Matrix(rows: a.columns, columns: b.columns) { i, j in
                (0..<a.rows).reduce(0.0) { $0 + a[$1, i] * b[$1, j] }
            }
        }
    }

    private func gaussian(_ rows: Int, _ columns: Int, _ random: inout LegacyRandomState) -> Matrix<Double> {
        Matrix(rows: rows, columns: columns) { _, _ in random.nextGaussian() }
    }

    private func randomProblem(m: Int, k: Int, r: Int, seed: UInt32) -> Problem {
        var random = LegacyRandomState(seed: seed)
        return Problem(a: gaussian(m, k, &random), b: gaussian(m, r, &random))
    }

    /// The optimality (KKT) conditions of min ½xᵀGx − cᵀx, x ≥ 0, per column, relative to
    /// the size of the gradient's terms: x ≥ 0, y = G·x − c ≥ 0, and y = 0 where x > 0.
    private func assertOptimal(_ x: Matrix<Double>, gram g: Matrix<Double>, rightHandSides c: Matrix<Double>,
                               _ label: String, tolerance relative: Double = 1e-10,
                               file: StaticString = #filePath, line: UInt = #line) {
        let k = g.rows
        XCTAssertEqual(x.rows, k, label, file: file, line: line)
        XCTAssertEqual(x.columns, c.columns, label, file: file, line: line)
        for j in 0..<c.columns {
            var scale = 0.0
            for i in 0..<k {
                let terms = abs(c[i, j]) + (0..<k).reduce(0.0) { $0 + abs(g[i, $1] * x[$1, j]) }
                scale = max(scale, terms)
            }
            let tolerance = relative * max(scale, .leastNormalMagnitude)
            for i in 0..<k {
                let y = (0..<k).reduce(-c[i, j]) { $0 + g[i, $1] * x[$1, j] }
                XCTAssertGreaterThanOrEqual(x[i, j], 0, "\(label) x[\(i), \(j)]", file: file, line: line)
                XCTAssertGreaterThanOrEqual(y, -tolerance, "\(label) gradient[\(i), \(j)]", file: file, line: line)
                if x[i, j] > 0 {
                    XCTAssertLessThanOrEqual(abs(y), tolerance, "\(label) complementarity [\(i), \(j)]",
                                             file: file, line: line)
                }
            }
        }
    }

    private func solveAndCheck(_ problem: Problem, _ label: String,
                               file: StaticString = #filePath, line: UInt = #line) throws -> NNLSSolution {
        let (g, c) = (problem.gram, problem.rightHandSides)
        let solution = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c)
        XCTAssertTrue(solution.converged, label, file: file, line: line)
        assertOptimal(solution.x, gram: g, rightHandSides: c, label, file: file, line: line)
        return solution
    }

    // MARK: Optimality on random and degenerate problems

    func testRandomProblemsMeetTheOptimalityConditions() throws {
        for (index, (k, r)) in [(1, 7), (2, 40), (3, 100), (5, 60), (8, 200), (13, 50), (21, 80), (30, 500)].enumerated() {
            _ = try solveAndCheck(randomProblem(m: k + 12, k: k, r: r, seed: UInt32(100 + index)), "k=\(k) r=\(r)")
        }
    }

    func testWideProblemsWithMoreVariablesThanRowsMeetTheOptimalityConditions() throws {
        // m < k: AᵀA is singular on every passive set larger than m.
        _ = try solveAndCheck(randomProblem(m: 6, k: 15, r: 120, seed: 3), "6×15")
    }

    func testRankDeficientProblemMeetsTheOptimalityConditions() throws {
        var random = LegacyRandomState(seed: 4)
        let a = Matrix.product(gaussian(30, 3, &random), gaussian(3, 12, &random))
        _ = try solveAndCheck(Problem(a: a, b: gaussian(30, 150, &random)), "rank 3 of 12")
    }

    func testDuplicatedColumnsMeetTheOptimalityConditions() throws {
        var random = LegacyRandomState(seed: 5)
        let base = gaussian(25, 6, &random)
        // Columns 6, 7 and 8 repeat columns 1, 1 and 4: every passive set holding a pair is singular.
        let source = [0, 1, 2, 3, 4, 5, 1, 1, 4]
        let a = Matrix<Double>(rows: 25, columns: source.count) { i, j in base[i, source[j]] }
        var b = gaussian(25, 120, &random)
        // Right-hand sides inside A's positive span make the duplicated columns positive.
        for j in 0..<40 { for i in 0..<25 { b[i, j] = base[i, 1] + 0.5 * base[i, 4] } }
        _ = try solveAndCheck(Problem(a: a, b: b), "duplicated columns")
    }

    func testSingularPassiveSetIsSolvedWithTheRidge() throws {
        var random = LegacyRandomState(seed: 12)
        let base = gaussian(10, 2, &random)
        // Columns 1 and 2 are equal and b = A·(1, 1, 1): the minimizers are (1, s, 2 − s).
        let a = Matrix<Double>(rows: 10, columns: 3) { i, j in base[i, min(j, 1)] }
        let b = Matrix<Double>(rows: 10, columns: 1) { i, _ in base[i, 0] + 2 * base[i, 1] }
        let problem = Problem(a: a, b: b)
        let (g, c) = (problem.gram, problem.rightHandSides)
        // Everything passive from the start: the first solve meets the singular G_FF.
        let warm = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c, initialPassiveSets: [[true, true, true]])
        assertOptimal(warm.x, gram: g, rightHandSides: c, "all passive")
        XCTAssertEqual(warm.x[0, 0], 1, accuracy: 1e-6)
        XCTAssertEqual(warm.x[1, 0] + warm.x[2, 0], 2, accuracy: 1e-6)
        // The ridge picks the minimizer of least norm: the weight split evenly.
        XCTAssertEqual(warm.x[1, 0], warm.x[2, 0], accuracy: 1e-6)
        let cold = try solveAndCheck(problem, "cold")
        XCTAssertEqual(cold.x[1, 0] + cold.x[2, 0], 2, accuracy: 1e-6)
    }

    func testGramThatNoRidgeRepairsDropsTheFailingVariable() throws {
        // Not a Gram matrix at all (eigenvalues 3 and −1): the factorization fails at the second
        // pivot even with the ridge, so that variable is held at 0 rather than becoming NaN.
        let g = Matrix<Double>(rows: 2, columns: 2, elements: [1, 2, 2, 1])
        let c = Matrix<Double>(rows: 2, columns: 1, elements: [1, 1])
        let solution = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c, initialPassiveSets: [[true, true]])
        XCTAssertEqual(solution.x, Matrix(rows: 2, columns: 1, elements: [1, 0]))
        XCTAssertTrue(solution.converged)
    }

    func testDeadComponentStaysAtZero() throws {
        var problem = randomProblem(m: 20, k: 7, r: 90, seed: 6)
        for i in 0..<20 { problem.a[i, 3] = 0 }
        let solution = try solveAndCheck(problem, "zero column")
        for j in 0..<90 { XCTAssertEqual(solution.x[3, j], 0) }
        XCTAssertTrue(solution.x.elements.allSatisfy(\.isFinite))
    }

    func testZeroRightHandSidesGiveZero() throws {
        var problem = randomProblem(m: 15, k: 6, r: 30, seed: 7)
        for index in problem.b.elements.indices { problem.b.elements[index] = 0 }
        let solution = try solveAndCheck(problem, "zero b")
        XCTAssertEqual(solution.x, Matrix(rows: 6, columns: 30))
        XCTAssertEqual(solution.iterations, 0)
    }

    func testNonFiniteInputIsRefused() {
        var g = randomProblem(m: 8, k: 3, r: 2, seed: 8).gram
        g[1, 1] = .nan
        XCTAssertThrowsError(try BlockPrincipalPivoting.solve(gram: g, rightHandSides: Matrix<Double>(rows: 3, columns: 2))) {
            XCTAssertEqual($0 as? NNLSError, .inputNotFinite)
        }
    }

    // MARK: scipy.optimize.nnls

    private struct ScipyFixture: Decodable {
        struct Case: Decodable {
            let name: String
            let A: [[Double]]
            let b: [Double]
            let x: [Double]
            let objective: Double
            let full_column_rank: Bool
        }
        let cases: [Case]
    }

    private func scipyCases() throws -> [ScipyFixture.Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/scipy_nnls.json")
        return try JSONDecoder().decode(ScipyFixture.self, from: Data(contentsOf: url)).cases
    }

    private func problem(_ fixture: ScipyFixture.Case) -> Problem {
        let m = fixture.A.count, k = fixture.A[0].count
        return Problem(a: Matrix(rows: m, columns: k) { fixture.A[$0][$1] },
                       b: Matrix(rows: m, columns: 1) { i, _ in fixture.b[i] })
    }

    func testMatchesScipyNNLS() throws {
        let cases = try scipyCases()
        XCTAssertEqual(cases.count, 7)
        for fixture in cases {
            let problem = problem(fixture)
            let x = try solveAndCheck(problem, fixture.name).x
            if fixture.full_column_rank {
                let size = fixture.x.map(abs).max()!
                for i in fixture.x.indices {
                    XCTAssertEqual(x[i, 0], fixture.x[i], accuracy: 1e-8 * size, "\(fixture.name) x[\(i)]")
                }
            }
            // Where A is rank-deficient the minimizer is not unique, but the minimum is.
            let objective = (0..<problem.a.rows).reduce(0.0) { sum, row in
                let residual = (0..<problem.a.columns).reduce(-fixture.b[row]) { $0 + problem.a[row, $1] * x[$1, 0] }
                return sum + residual * residual
            }
            XCTAssertEqual(objective, fixture.objective, accuracy: 1e-8 * max(fixture.objective, 1e-300),
                           fixture.name)
        }
    }

    // MARK: The backup rule

    func testFullExchangeAloneCyclesWhereTheBackupRuleTerminates() throws {
        let fixture = try XCTUnwrap(scipyCases().first { $0.name == "full_exchange_cycles_4x3" })
        let problem = problem(fixture)
        let (g, c) = (problem.gram, problem.rightHandSides)
        let plain = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c, initialPassiveSets: nil,
                                                     maximumIterations: 60, backupRule: false,
                                                     activeSetFallback: false)
        XCTAssertFalse(plain.converged, "full exchange alone should cycle on this problem")
        XCTAssertEqual(plain.iterations, 60)
        let backed = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c)
        XCTAssertTrue(backed.converged)
        XCTAssertLessThan(backed.iterations, 60)
        assertOptimal(backed.x, gram: g, rightHandSides: c, "backup rule")
        for i in fixture.x.indices { XCTAssertEqual(backed.x[i, 0], fixture.x[i], accuracy: 1e-12) }
    }

    /// What pivoting leaves unsolved at its bound goes to Lawson & Hanson's active-set method:
    /// one pivoting step is not enough for these problems, and every right-hand side still
    /// meets the optimality conditions, as scipy's nnls solutions do.
    func testTheActiveSetMethodSolvesWhatPivotingLeaves() throws {
        for fixture in try scipyCases() {
            let problem = problem(fixture)
            let (g, c) = (problem.gram, problem.rightHandSides)
            let solution = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c, initialPassiveSets: nil,
                                                            maximumIterations: 0, backupRule: true,
                                                            activeSetFallback: true)
            XCTAssertTrue(solution.converged, fixture.name)
            assertOptimal(solution.x, gram: g, rightHandSides: c, "active set, \(fixture.name)")
            for i in fixture.x.indices {
                XCTAssertEqual(solution.x[i, 0], fixture.x[i], accuracy: 1e-9 * max(1, abs(fixture.x[i])), fixture.name)
            }
        }
        let unsolvedByPivoting = try scipyCases().filter { fixture in
            let problem = problem(fixture)
            return !(try BlockPrincipalPivoting.solve(gram: problem.gram, rightHandSides: problem.rightHandSides,
                                                      initialPassiveSets: nil, maximumIterations: 0, backupRule: true,
                                                      activeSetFallback: false).converged)
        }
        XCTAssertFalse(unsolvedByPivoting.isEmpty, "some fixture needs more than the initial solve")
    }

    /// More components than the data's rank, with a little noise, in float32: H·Hᵀ is singular
    /// to its float32 rounding (eigenvalues down to about −10⁻⁷ of its trace), far below the
    /// 10⁻¹² a float64 Gram would warrant. Taken at float64's precision the pivoting leaves rows
    /// unsolved; at the Gram's own precision every row meets the optimality conditions.
    func testFloat32GramOfAnOverRankedFitIsSolvedAtItsOwnPrecision() throws {
        var random = LegacyRandomState(seed: 31)
        let basis = Matrix<Double>(rows: 5, columns: 300) { _, _ in abs(random.nextGaussian()) }
        let mixing = Matrix<Double>(rows: 10, columns: 5) { _, _ in abs(random.nextGaussian()) }
        var h = Matrix.product(mixing, basis).converted(to: Float.self)
        for index in h.elements.indices { h.elements[index] += Float(1e-3 * abs(random.nextGaussian())) }
        let data = Matrix<Float>(rows: 400, columns: 300) { _, _ in Float(abs(random.nextGaussian())) }
        let gram = h.gram(of: .rows)
        let rightHandSides = Matrix.product(h, data, transB: .transposed)
        let asIfExact = try BlockPrincipalPivoting.solve(gram: gram, rightHandSides: rightHandSides,
                                                         initialPassiveSets: nil, maximumIterations: nil,
                                                         backupRule: true, activeSetFallback: false,
                                                         gramPrecision: Double.ulpOfOne)
        XCTAssertFalse(asIfExact.converged, "at float64's precision the pivoting should leave rows unsolved")
        let solution = try BlockPrincipalPivoting.solve(gram: gram, rightHandSides: rightHandSides)
        XCTAssertTrue(solution.converged)
        let (g, c) = (gram.converted(to: Double.self), rightHandSides.converted(to: Double.self))
        assertOptimal(solution.x, gram: g, rightHandSides: c, "float32 over-ranked", tolerance: 1e-6)
    }

    // MARK: Grouping, warm start, precision

    func testGroupingAndWarmStartDoNotChangeTheSolution() throws {
        let problem = randomProblem(m: 25, k: 10, r: 60, seed: 9)
        let (g, c) = (problem.gram, problem.rightHandSides)
        let together = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c).x
        for j in 0..<c.columns {
            let column = Matrix<Double>(rows: 10, columns: 1) { i, _ in c[i, j] }
            let alone = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: column).x
            for i in 0..<10 { XCTAssertEqual(together[i, j], alone[i, 0], accuracy: 1e-12 * (1 + abs(alone[i, 0]))) }
        }
        var random = LegacyRandomState(seed: 10)
        let arbitrary = (0..<60).map { _ in (0..<10).map { _ in random.nextUniform() < 0.5 } }
        let warm = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c, initialPassiveSets: arbitrary)
        XCTAssertTrue(warm.converged)
        for index in together.elements.indices {
            XCTAssertEqual(warm.x.elements[index], together.elements[index],
                           accuracy: 1e-12 * (1 + abs(together.elements[index])))
        }
        // Started from the solution's own support, there is nothing left to exchange.
        let fromSupport = try BlockPrincipalPivoting.solve(
            gram: g, rightHandSides: c, initialPassiveSets: BlockPrincipalPivoting.passiveSets(support: together))
        XCTAssertEqual(fromSupport.iterations, 0)
        for index in together.elements.indices {
            XCTAssertEqual(fromSupport.x.elements[index], together.elements[index],
                           accuracy: 1e-12 * (1 + abs(together.elements[index])))
        }
    }

    func testFloatInputIsSolvedInDouble() throws {
        let problem = randomProblem(m: 30, k: 8, r: 50, seed: 11)
        let (gram, rightHandSides) = (problem.gram, problem.rightHandSides)
        let g = Matrix<Float>(rows: 8, columns: 8) { Float(gram[$0, $1]) }
        let c = Matrix<Float>(rows: 8, columns: 50) { Float(rightHandSides[$0, $1]) }
        let fromFloat = try BlockPrincipalPivoting.solve(gram: g, rightHandSides: c)
        // Widening is exact, so the float problem is this double one, solved the same way.
        let widened = try BlockPrincipalPivoting.solve(gram: Matrix<Double>(rows: 8, columns: 8) { Double(g[$0, $1]) },
                                                       rightHandSides: Matrix<Double>(rows: 8, columns: 50) { Double(c[$0, $1]) })
        XCTAssertEqual(fromFloat.x, widened.x)
        // And it is the double problem's solution to float precision.
        let exact = try BlockPrincipalPivoting.solve(gram: gram, rightHandSides: rightHandSides).x
        let size = exact.elements.map(abs).max()!
        for index in exact.elements.indices {
            XCTAssertEqual(fromFloat.x.elements[index], exact.elements[index], accuracy: 1e-4 * size)
        }
    }
}
