import BlockNMF
import HDF5Store
import NMFKernels
import XCTest

/// From a fixed custom init, W and H after 1, 10 and 100 iterations equal
/// scikit-learn's for both solvers, with and without regularization.
final class SklearnTrajectoryTests: XCTestCase {
    func testIteratesMatchScikitLearn() throws {
        let count = try FixtureFile("sklearn_trajectories.h5").forEachCase { fixture, group, precision in
            try check(fixture, group, as: precision)
        }
        XCTAssertGreaterThanOrEqual(count, 20)
    }

    private func check<T: FixturePrecision>(_ fixture: FixtureFile, _ group: String, as _: T.Type) throws {
        let v: Matrix<T> = try fixture.matrix("\(group)/X")
        let w0: Matrix<T> = try fixture.matrix("\(group)/W0")
        let h0: Matrix<T> = try fixture.matrix("\(group)/H0")
        let solver = Solver(rawValue: try fixture.string("solver", of: group))!
        let tolerance = Parity.tolerance(forDtype: T.precisionName)
        for iterations in [1, 10, 100] {
            let configuration = NMFConfiguration(
                components: try fixture.integer("n_components", of: group), solver: solver,
                initialization: .custom, maxIterations: iterations, tolerance: 0,
                regularization: try fixture.regularization(of: group))
            let fit = try NMF<T>(configuration).fit(v, initialW: w0, initialH: h0)
            let expectedW: Matrix<T> = try fixture.matrix("\(group)/W_\(iterations)")
            let expectedH: Matrix<T> = try fixture.matrix("\(group)/H_\(iterations)")
            XCTAssertEqual(fit.report.iterations, iterations)
            XCTAssertLessThanOrEqual(fit.w.relativeDifference(to: expectedW), tolerance,
                                     "\(group) W after \(iterations)")
            XCTAssertLessThanOrEqual(fit.components.relativeDifference(to: expectedH), tolerance,
                                     "\(group) H after \(iterations)")
        }
    }
}
