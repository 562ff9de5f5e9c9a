import BlockNMF
import HDF5Store
import NMFKernels
import XCTest

/// `transform` of new rows with H fixed, against scikit-learn's `NMF.transform`.
final class SklearnTransformTests: XCTestCase {
    func testTransformMatchesScikitLearn() throws {
        let count = try FixtureFile("sklearn_transform.h5").forEachCase { fixture, group, precision in
            try check(fixture, group, as: precision)
        }
        XCTAssertGreaterThan(count, 0)
    }

    private func check<T: FixturePrecision>(_ fixture: FixtureFile, _ group: String, as _: T.Type) throws {
        let configuration = NMFConfiguration(
            components: try fixture.integer("n_components", of: group),
            solver: Solver(rawValue: try fixture.string("solver", of: group))!,
            maxIterations: try fixture.integer("max_iter", of: group),
            tolerance: try fixture.double("tol", of: group),
            regularization: try fixture.regularization(of: group))
        let h: Matrix<T> = try fixture.matrix("\(group)/H")
        let model = FittedNMF(configuration: configuration, w: try fixture.matrix("\(group)/W_fit", as: T.self),
                              components: h, report: FitReport(iterations: 0, converged: true, lossHistory: [],
                                                               initialization: "custom", reconstructionError: 0,
                                                               elapsedSeconds: 0))
        let (w, report) = try model.transform(InMemoryRowBlocks(try fixture.matrix("\(group)/X_new", as: T.self)))
        XCTAssertEqual(report.iterations, try fixture.integer("n_iter_transform", of: group), group)
        XCTAssertLessThanOrEqual(w.relativeDifference(to: try fixture.matrix("\(group)/W_new", as: T.self)),
                                 Parity.tolerance(forDtype: T.precisionName), group)
    }
}
