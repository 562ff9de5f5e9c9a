import BlockNMF
import NMFKernels
import TestSupport
import XCTest

/// The `anls` solver: every iterate's factors are exact non-negative least-squares solutions,
/// checked by the optimality (KKT) conditions with gradients formed here in plain loops.
final class ANLSTests: XCTestCase {
    /// 700 rows: three tiles, so the pass's sums cross tile boundaries.
    private let v = TestMatrices.planted(700, 30, rank: 5, noise: 0.1, seed: 7, as: Double.self)
    private let regularized = Regularization(alphaW: 0.001, alphaH: .value(0.002), l1Ratio: 0.4)

    /// Iterate by iterate (one-iteration fits from the previous factors): W solves its
    /// problem given the H the pass began with, H solves its problem given the new W, and the
    /// penalized objective never increases, after either half-step.
    func testEveryIterateSatisfiesTheOptimalityConditionsAndTheObjectiveNeverIncreases() throws {
        for regularization in [Regularization(), regularized] {
            let penalties = regularization.penalties(samples: v.rows, features: v.columns)
            let start = try NMF<Double>(NMFConfiguration(components: 5, solver: .anls, initialization: .random,
                                                         maxIterations: 1)).fit(v)
            var w = start.w, h = start.components
            var objective = Self.objective(v, w, h, penalties)
            let stepping = NMFConfiguration(components: 5, solver: .anls, initialization: .custom, maxIterations: 1,
                                            tolerance: 0, regularization: regularization)
            for iteration in 1...8 {
                let fit = try NMF<Double>(stepping).fit(v, initialW: w, initialH: h)
                let label = "\(regularization) iteration \(iteration)"
                Self.assertOptimal(factor: fit.w, data: v, other: h, penalty: penalties.w, "W, \(label)")
                Self.assertOptimal(factor: fit.components.transposed(), data: v.transposed(),
                                   other: fit.w.transposed(), penalty: penalties.h, "H, \(label)")
                let halfStep = Self.objective(v, fit.w, h, penalties)
                let next = Self.objective(v, fit.w, fit.components, penalties)
                XCTAssertLessThanOrEqual(halfStep, objective * (1 + 1e-12), "W's solve raised the objective, \(label)")
                XCTAssertLessThanOrEqual(next, halfStep * (1 + 1e-12), "H's solve raised the objective, \(label)")
                (w, h, objective) = (fit.w, fit.components, next)
            }
        }
    }

    func testResultIsTheSameBitForBitForAnyThreadCount() throws {
        let configuration = NMFConfiguration(components: 5, solver: .anls, maxIterations: 12, tolerance: 0,
                                             regularization: regularized)
        let one = try NMF<Double>(configuration, threads: 1).fit(v)
        for threads in [2, 4] {
            let other = try NMF<Double>(configuration, threads: threads).fit(v)
            XCTAssertEqual(other.w, one.w, "W with \(threads) threads")
            XCTAssertEqual(other.components, one.components, "H with \(threads) threads")
            XCTAssertEqual(other.report.lossHistory, one.report.lossHistory)
        }
    }

    /// The float32 fit reaches the float64 fit's objective: the solves are in Double either way.
    /// The data are sparse-factored (a well-posed NMF), which float64 solves to its stopping
    /// rule's 1e-12 within 1 000 iterations; float32 runs as many (its loss identity, summed in
    /// float32, is too coarse to stop on near the minimum), and its final error is measured
    /// from the residual.
    func testFloat32ReachesTheFloat64Objective() throws {
        let data = Self.sparseFactored(400, 40, rank: 4, seed: 3)
        let double = try NMF<Double>(NMFConfiguration(components: 4, solver: .anls, initialization: .nndsvda,
                                                      maxIterations: 1000, tolerance: 1e-12)).fit(data)
        XCTAssertTrue(double.report.converged, "the float64 fit must converge for the comparison to hold")
        let single = try NMF<Float>(NMFConfiguration(components: 4, solver: .anls, initialization: .nndsvda,
                                                     maxIterations: 1000, tolerance: 0))
            .fit(data.converted(to: Float.self))
        let expected = double.report.reconstructionError * double.report.reconstructionError / 2
        let objective = single.report.reconstructionError * single.report.reconstructionError / 2
        XCTAssertEqual(objective, expected, accuracy: 1e-5 * expected)
    }

    /// The stopping rule: from iteration 2, the penalized objective's decrease relative to the
    /// previous iteration's, the objectives computed here from each iterate (one-iteration fits
    /// from the previous factors take the same path).
    func testStopsWhenThePenalizedObjectiveDecreasesByLessThanTheTolerance() throws {
        let data = Self.sparseFactored(400, 40, rank: 4, seed: 3)
        let penalties = regularized.penalties(samples: data.rows, features: data.columns)
        var random = LegacyRandomState(seed: 11)
        var w = Matrix<Double>(rows: data.rows, columns: 4) { _, _ in random.nextUniform() }
        var h = Matrix<Double>(rows: 4, columns: data.columns) { _, _ in random.nextUniform() }
        let tolerance = 1e-5
        let fit = try NMF<Double>(NMFConfiguration(components: 4, solver: .anls, initialization: .custom,
                                                   maxIterations: 500, tolerance: tolerance,
                                                   regularization: regularized)).fit(data, initialW: w, initialH: h)
        XCTAssertTrue(fit.report.converged)
        let stepping = NMFConfiguration(components: 4, solver: .anls, initialization: .custom, maxIterations: 1,
                                        tolerance: 0, regularization: regularized)
        var previous = Double.nan, expectedStop: Int?
        for iteration in 1...fit.report.iterations {
            let step = try NMF<Double>(stepping).fit(data, initialW: w, initialH: h)
            (w, h) = (step.w, step.components)
            let objective = Self.objective(data, w, h, penalties)
            if iteration >= 2, (previous - objective) / previous < tolerance {
                expectedStop = iteration
                break
            }
            previous = objective
        }
        XCTAssertEqual(fit.report.iterations, expectedStop)
        XCTAssertEqual(fit.w, w, "the stopped fit is the iterate the rule stopped at")
    }

    /// `transform` of the training rows gives each row's exact NNLS solution for the model's
    /// H, in one pass.
    func testTransformGivesEachRowsExactSolution() throws {
        let configuration = NMFConfiguration(components: 5, solver: .anls, maxIterations: 20,
                                             regularization: regularized)
        let model = try NMF<Double>(configuration).fit(v)
        let (w, report) = try model.transform(InMemoryRowBlocks(v), threads: 2)
        let penalty = regularized.penalties(samples: v.rows, features: v.columns).w
        Self.assertOptimal(factor: w, data: v, other: model.components, penalty: penalty, "transform's W")
        XCTAssertEqual(report.iterations, 1)
        XCTAssertTrue(report.converged)
        XCTAssertEqual(report.reconstructionError, TestMatrices.denseResidual(v, w, model.components),
                       accuracy: 1e-9 * report.reconstructionError)
    }

    // MARK: - Independent checks

    /// W*·H* + small noise with about half of each factor's entries zero: factors that are
    /// nearly unique, so alternating solves converge quickly.
    static func sparseFactored(_ m: Int, _ n: Int, rank: Int, seed: UInt32) -> Matrix<Double> {
        var random = LegacyRandomState(seed: seed)
        func entry() -> Double { let u = random.nextUniform(); return u < 0.5 ? 0 : u }
        let w = Matrix<Double>(rows: m, columns: rank) { _, _ in entry() }
        let h = Matrix<Double>(rows: rank, columns: n) { _, _ in entry() }
        var v = Matrix.product(w, h)
        for index in v.elements.indices { v.elements[index] += 0.01 * random.nextUniform() }
        return v
    }

    /// The KKT conditions of min over X ≥ 0 of ½‖D − X·O‖² + l1·ΣX + ½·l2·‖X‖² (X: rows of W,
    /// or of Hᵀ with O = Wᵀ), to 1e-10 of the magnitude of the gradient's terms: zero gradient
    /// where X > 0, non-negative gradient where X = 0.
    static func assertOptimal(factor x: Matrix<Double>, data d: Matrix<Double>, other o: Matrix<Double>,
                              penalty: Penalty, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let k = o.rows, n = o.columns
        var gram = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for a in 0..<k { for b in 0..<k { for j in 0..<n { gram[a][b] += o[a, j] * o[b, j] } } }
        var worst = 0.0
        for i in 0..<x.rows {
            for a in 0..<k {
                var gradient = penalty.l1 + penalty.l2 * x[i, a], scale = penalty.l1 + penalty.l2 * x[i, a]
                for b in 0..<k { gradient += x[i, b] * gram[b][a]; scale += abs(x[i, b] * gram[b][a]) }
                for j in 0..<n { gradient -= d[i, j] * o[a, j]; scale += abs(d[i, j] * o[a, j]) }
                XCTAssertGreaterThanOrEqual(x[i, a], 0, label, file: file, line: line)
                let violation = x[i, a] > 0 ? abs(gradient) : max(-gradient, 0)
                worst = max(worst, violation / max(scale, .leastNormalMagnitude))
            }
        }
        XCTAssertLessThanOrEqual(worst, 1e-10, "\(label): KKT violation", file: file, line: line)
    }

    /// scikit-learn's objective: ½‖V − W·H‖² + the elastic-net penalties of W and H.
    static func objective(_ v: Matrix<Double>, _ w: Matrix<Double>, _ h: Matrix<Double>,
                          _ penalties: (w: Penalty, h: Penalty)) -> Double {
        let residual = TestMatrices.denseResidual(v, w, h)
        func penalty(_ x: Matrix<Double>, _ p: Penalty) -> Double {
            x.elements.reduce(0) { $0 + p.l1 * $1 + 0.5 * p.l2 * $1 * $1 }
        }
        return 0.5 * residual * residual + penalty(w, penalties.w) + penalty(h, penalties.h)
    }
}
