import BlockNMF
import NMFKernels
import TestSupport
import XCTest

/// Properties every fit must have, whatever the data: the ones scikit-learn's
/// test suite checks, on seeded matrices.
final class FitPropertyTests: XCTestCase {
    private let v = TestMatrices.planted(24, 17, rank: 4, noise: 0.05, seed: 21, as: Double.self)

    /// One iteration at a time, restarting from the previous factors: every iterate
    /// is non-negative, the MU loss never increases, the reported loss equals the
    /// dense residual, and the steps compose to the same result as one long fit — but for
    /// `anls`, whose fit carries H's extrapolation from one iteration to the next, which a
    /// restart does not (`ANLSTests` follows its path).
    func testIteratesStayNonNegativeAndMULossNeverIncreases() throws {
        for solver in Solver.allCases {
            for regularization in [Regularization(), Regularization(alphaW: 0.01, alphaH: .value(0.02), l1Ratio: 0.3)] {
                let start = try NMF<Double>(NMFConfiguration(components: 5, initialization: .nndsvda,
                                                             maxIterations: 1))
                    .fit(v)
                var w = start.w, h = start.components
                let stepping = NMFConfiguration(components: 5, solver: solver, initialization: .custom,
                                                maxIterations: 1, tolerance: 0, regularization: regularization)
                var previousLoss = Double.infinity
                for step in 1...30 {
                    let fit = try NMF<Double>(stepping).fit(v, initialW: w, initialH: h)
                    w = fit.w; h = fit.components
                    XCTAssertTrue(w.elements.allSatisfy { $0 >= 0 } && h.elements.allSatisfy { $0 >= 0 },
                                  "\(solver) step \(step)")
                    let dense = TestMatrices.denseResidual(v, w, h)
                    XCTAssertEqual(fit.report.reconstructionError, dense, accuracy: 1e-9 * dense)
                    if solver == .mu && regularization == Regularization() {
                        XCTAssertLessThanOrEqual(fit.report.reconstructionError, previousLoss * (1 + 1e-12),
                                                 "MU loss increased at step \(step)")
                    }
                    previousLoss = fit.report.reconstructionError
                }
                let oneRun = try NMF<Double>(NMFConfiguration(components: 5, solver: solver, initialization: .custom,
                                                              maxIterations: 30, tolerance: 0,
                                                              regularization: regularization))
                    .fit(v, initialW: start.w, initialH: start.components)
                guard solver != .anls else { continue }
                XCTAssertEqual(oneRun.w, w, "\(solver): 30 single steps differ from one 30-iteration fit")
                XCTAssertEqual(oneRun.components, h)
            }
        }
    }

    func testZeroRowsAndColumnsNeverYieldNaNOrInfinity() throws {
        var data = v
        for j in 0..<data.columns { data[3, j] = 0; data[10, j] = 0 }
        for i in 0..<data.rows { data[i, 5] = 0 }
        for solver in Solver.allCases {
            for method in [InitializationMethod.random, .nndsvd, .nndsvda, .nndsvdar] {
                let fit = try NMF<Double>(NMFConfiguration(components: 6, solver: solver, initialization: method,
                                                           maxIterations: 60)).fit(data)
                let all = fit.w.elements + fit.components.elements + fit.report.lossHistory
                XCTAssertTrue(all.allSatisfy(\.isFinite), "\(solver) with \(method) produced NaN or Inf")
                let single = try NMF<Float>(NMFConfiguration(components: 6, solver: solver, initialization: method,
                                                             maxIterations: 60)).fit(data.converted(to: Float.self))
                XCTAssertTrue((single.w.elements + single.components.elements).allSatisfy(\.isFinite))
            }
        }
    }

    func testCoordinateDescentRecoversAnExactPlantedRank() throws {
        let exact = TestMatrices.planted(60, 40, rank: 5, seed: 22, as: Double.self)
        let fit = try NMF<Double>(NMFConfiguration(components: 5, solver: .cd, initialization: .nndsvda,
                                                   maxIterations: 3000, tolerance: 1e-12)).fit(exact)
        let relative = TestMatrices.denseResidual(exact, fit.w, fit.components)
            / exact.squaredFrobeniusNorm.squareRoot()
        XCTAssertLessThanOrEqual(relative, 1e-4)
    }

    /// Tiles, not blocks or threads, fix the order of every sum: the result is the
    /// same bit for bit whatever the block size and the number of workers.
    func testBlockSizeAndThreadCountDoNotChangeTheResult() throws {
        let data = TestMatrices.planted(1300, 40, rank: 4, noise: 0.05, seed: 23, as: Double.self)
        for solver in Solver.allCases {
            for initialization in [InitializationMethod.nndsvdar, .random] {
                let configuration = NMFConfiguration(components: 4, solver: solver, initialization: initialization,
                                                     maxIterations: 25, tolerance: 0)
                let reference = try NMF<Double>(configuration).fit(data)
                for (blockRows, threads) in [(256, 1), (512, 2), (768, 4), (1024, 3)] {
                    let fit = try NMF<Double>(configuration, threads: threads)
                        .fit(SplitRowBlocks(data, blockRows: blockRows))
                    XCTAssertEqual(fit.w, reference.w, "\(solver) \(initialization) blocks \(blockRows) threads \(threads)")
                    XCTAssertEqual(fit.components, reference.components)
                    XCTAssertEqual(fit.report.lossHistory, reference.report.lossHistory)
                    XCTAssertEqual(fit.report.reconstructionError, reference.report.reconstructionError)
                }
            }
        }
    }

    func testInverseTransformIsWTimesH() throws {
        let fit = try NMF<Double>(NMFConfiguration(components: 3, maxIterations: 20)).fit(v)
        let back = try fit.inverseTransform(fit.w)
        XCTAssertEqual(back, Matrix.product(fit.w, fit.components))
        XCTAssertThrowsError(try fit.inverseTransform(Matrix(rows: 2, columns: 4)))
    }
}
