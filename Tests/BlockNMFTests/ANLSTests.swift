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

    /// Iterate by iterate (one-iteration fits from the previous factors, which extrapolate
    /// nothing): W solves its problem given the H the pass began with, H solves its problem
    /// given the new W, and the penalized objective never increases, after either half-step.
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
    /// rule's 1e-12 within 1 000 iterations; float32 runs as many (its loss identity, from
    /// float32 products, is too coarse to stop on near the minimum), and its final error is
    /// measured from the residual.
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
    /// previous iteration's, once it is at least 0 (a rise is an extrapolation overshooting, not
    /// a stop). Fits of 1, 2, … iterations from one start are the prefixes of the stopped fit's
    /// path; the objectives are computed here from their factors.
    func testStopsWhenThePenalizedObjectiveFallsByLessThanTheTolerance() throws {
        let data = Self.sparseFactored(400, 40, rank: 4, seed: 3)
        let penalties = regularized.penalties(samples: data.rows, features: data.columns)
        var random = LegacyRandomState(seed: 11)
        let w = Matrix<Double>(rows: data.rows, columns: 4) { _, _ in random.nextUniform() }
        let h = Matrix<Double>(rows: 4, columns: data.columns) { _, _ in random.nextUniform() }
        let tolerance = 1e-5
        func fit(_ iterations: Int, tolerance: Double) throws -> FittedNMF<Double> {
            try NMF<Double>(NMFConfiguration(components: 4, solver: .anls, initialization: .custom,
                                             maxIterations: iterations, tolerance: tolerance,
                                             regularization: regularized)).fit(data, initialW: w, initialH: h)
        }
        let stopped = try fit(500, tolerance: tolerance)
        XCTAssertTrue(stopped.report.converged)
        var previous = Double.nan, expectedStop: Int?, expectedW: Matrix<Double>?
        for iteration in 1...stopped.report.iterations {
            let prefix = try fit(iteration, tolerance: 0)
            let objective = Self.objective(data, prefix.w, prefix.components, penalties)
            let decrease = (previous - objective) / previous
            if iteration >= 2, decrease >= 0, decrease < tolerance {
                (expectedStop, expectedW) = (iteration, prefix.w)
                break
            }
            previous = objective
        }
        XCTAssertEqual(stopped.report.iterations, expectedStop)
        XCTAssertEqual(stopped.w, expectedW, "the stopped fit is the iterate the rule stopped at")
    }

    /// H extrapolated between iterations (Ang & Gillis 2019): replaying the paper's schedule
    /// here — β₀ = 0.5; after an iteration whose objective rose, restart from its H with
    /// β ÷ 1.5 and the ceiling at the β that failed; otherwise Ĥ = max(0, H + β·(H − H₋)),
    /// ceiling × 1.01 (at most 1), β × 1.05 (at most the ceiling) — from the objectives computed
    /// here, each iterate's W is the exact solution against that Ĥ, and its H the exact solution
    /// against its W. Fits of 1, 2, … iterations from one start are the prefixes of one path.
    func testEachPassSolvesAgainstHExtrapolatedByThePapersSchedule() throws {
        for regularization in [Regularization(), regularized] {
            let penalties = regularization.penalties(samples: v.rows, features: v.columns)
            var random = LegacyRandomState(seed: 5)
            let w0 = Matrix<Double>(rows: v.rows, columns: 5) { _, _ in random.nextUniform() }
            let h0 = Matrix<Double>(rows: 5, columns: v.columns) { _, _ in random.nextUniform() }
            var (h, start) = (h0, h0)
            var (beta, ceiling, previousObjective) = (0.5, 1.0, Double.infinity)
            var extrapolated = 0
            for iteration in 1...8 {
                let fit = try NMF<Double>(NMFConfiguration(
                    components: 5, solver: .anls, initialization: .custom, maxIterations: iteration, tolerance: 0,
                    regularization: regularization)).fit(v, initialW: w0, initialH: h0)
                let label = "\(regularization) iteration \(iteration)"
                Self.assertOptimal(factor: fit.w, data: v, other: start, penalty: penalties.w, "W, \(label)")
                Self.assertOptimal(factor: fit.components.transposed(), data: v.transposed(),
                                   other: fit.w.transposed(), penalty: penalties.h, "H, \(label)")
                let objective = Self.objective(v, fit.w, fit.components, penalties)
                if objective > previousObjective {
                    (ceiling, beta, start) = (beta, beta / 1.5, fit.components)
                } else {
                    start = Matrix(rows: h.rows, columns: h.columns, elements: zip(fit.components.elements, h.elements)
                        .map { now, before in max(0, now + beta * (now - before)) })
                    ceiling = min(1, 1.01 * ceiling)
                    beta = min(ceiling, 1.05 * beta)
                    extrapolated += 1
                }
                (h, previousObjective) = (fit.components, objective)
            }
            XCTAssertGreaterThan(extrapolated, 0, "\(regularization): no iteration was extrapolated")
        }
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
    static func sparseFactored(_ m: Int, _ n: Int, rank: Int, seed: UInt32, noise: Double = 0.01) -> Matrix<Double> {
        var random = LegacyRandomState(seed: seed)
        func entry() -> Double { let u = random.nextUniform(); return u < 0.5 ? 0 : u }
        let w = Matrix<Double>(rows: m, columns: rank) { _, _ in entry() }
        let h = Matrix<Double>(rows: rank, columns: n) { _, _ in entry() }
        var v = Matrix.product(w, h)
        for index in v.elements.indices { v.elements[index] += noise * random.nextUniform() }
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
