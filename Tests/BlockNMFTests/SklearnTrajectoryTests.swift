import BlockNMF
import HDF5Store
import NMFKernels
import XCTest

/// From a fixed custom init, W and H after 1, 10 and 100 iterations equal
/// scikit-learn's for both solvers, with and without regularization.
final class SklearnTrajectoryTests: XCTestCase {
    func testIteratesMatchScikitLearn() throws {
        let fixture = try FixtureFile("sklearn_trajectories.h5")
        let cases = try fixture.caseNames
        XCTAssertGreaterThanOrEqual(cases.count, 20)
        for name in cases {
            let group = "/\(name)"
            if try fixture.string("dtype", of: group) == "float32" {
                try check(fixture, group, as: Float.self)
            } else {
                try check(fixture, group, as: Double.self)
            }
        }
    }

    private func check<T: NMFScalar & HDF5Scalar>(_ fixture: FixtureFile, _ group: String, as _: T.Type) throws {
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
