import BlockNMF
import NMFKernels
import TestSupport
import XCTest

final class HALSTests: XCTestCase {
    private let v = TestMatrices.planted(300, 80, rank: 6, noise: 0.02, seed: 41, as: Double.self)

    func testOneInnerSweepIsScikitLearnsCoordinateDescent() throws {
        let cd = try NMF<Double>(NMFConfiguration(components: 6, solver: .cd, maxIterations: 40)).fit(v)
        let hals = try NMF<Double>(NMFConfiguration(components: 6, solver: .hals, maxIterations: 40,
                                                    innerSweeps: 1)).fit(v)
        XCTAssertEqual(hals.w, cd.w)
        XCTAssertEqual(hals.components, cd.components)
        XCTAssertEqual(hals.report.iterations, cd.report.iterations)
    }

    /// Extra sweeps reuse the pass's products: the same number of passes over V
    /// reaches a lower loss.
    func testInnerSweepsLowerTheLossReachedInAGivenNumberOfPasses() throws {
        var errors: [Double] = []
        for sweeps in [1, 2, 4, 8] {
            let fit = try NMF<Double>(NMFConfiguration(components: 6, solver: .hals, maxIterations: 15, tolerance: 0,
                                                       innerSweeps: sweeps)).fit(v)
            errors.append(fit.report.reconstructionError)
        }
        for index in 1..<errors.count {
            XCTAssertLessThan(errors[index], errors[index - 1], "sweeps do not help: \(errors)")
        }
    }
}
