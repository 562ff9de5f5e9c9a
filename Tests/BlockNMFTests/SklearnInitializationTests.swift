@testable import BlockNMF
import HDF5Store
import NMFKernels
import XCTest

/// Initial factors for every init method, and full fits from them, against
/// scikit-learn's `_initialize_nmf` and `NMF(...).fit_transform`.
final class SklearnInitializationTests: XCTestCase {
    func testInitialFactorsAndFullFitsMatchScikitLearn() throws {
        let count = try FixtureFile("sklearn_inits.h5").forEachCase { fixture, group, precision in
            try check(fixture, group, as: precision)
        }
        XCTAssertGreaterThanOrEqual(count, 40)
    }

    private func configuration(_ fixture: FixtureFile, _ group: String) throws -> NMFConfiguration {
        let initName = try fixture.string("init", of: group)
        return NMFConfiguration(
            components: try fixture.integer("n_components", of: group),
            initialization: initName == "default" ? nil : InitializationMethod(rawValue: initName)!,
            regularization: try fixture.regularization(of: group),
            seed: UInt32(try fixture.integer("seed", of: group)))
    }

    private func check<T: FixturePrecision>(_ fixture: FixtureFile, _ group: String, as _: T.Type) throws {
        let v: Matrix<T> = try fixture.matrix("\(group)/X")
        let base = try configuration(fixture, group)
        let tolerance = Parity.tolerance(forDtype: T.precisionName)

        let data = InMemoryRowBlocks(v)
        let method = base.resolvedInitialization(samples: v.rows, features: v.columns)
        let placed = FactorRows<T>(unfilledRows: v.rows, columns: base.components)
        let h = try InitialFactors.place(into: placed, for: data, summary: try DataSummary.scan(data),
                                         configuration: base, method: method, givenW: nil, givenH: nil)
        let w = try XCTUnwrap(placed.matrix)
        XCTAssertLessThanOrEqual(w.relativeDifference(to: try fixture.matrix("\(group)/W_init")), tolerance,
                                 "\(group) initial W")
        XCTAssertLessThanOrEqual(h.relativeDifference(to: try fixture.matrix("\(group)/H_init")), tolerance,
                                 "\(group) initial H")

        for solver in [Solver.cd, .mu] {
            var configuration = base
            configuration.solver = solver
            let fit = try NMF<T>(configuration).fit(v)
            let suffix = solver.rawValue
            let expectedIterations = try fixture.integer("n_iter_\(suffix)", of: group)
            let history = fit.report.lossHistory
            if history[1] - history[history.count - 1] <= 1e-12 * history[1] {
                // Stationary from the first iteration (k = 1 reaches its fixed point at
                // once): the violation is rounding noise, and with it the stopping
                // iteration, here and in scikit-learn alike. Both must then have stopped
                // on the rule or on the limit; the factors are compared below.
                XCTAssertTrue(fit.report.converged || fit.report.iterations == configuration.maxIterations)
            } else {
                XCTAssertEqual(fit.report.iterations, expectedIterations, "\(group) \(suffix) iterations")
            }
            let expectedError = try fixture.double("reconstruction_err_\(suffix)", of: group)
            XCTAssertEqual(fit.report.reconstructionError, expectedError, accuracy: tolerance * expectedError,
                           "\(group) \(suffix) reconstruction error")
            XCTAssertLessThanOrEqual(fit.w.relativeDifference(to: try fixture.matrix("\(group)/W_fit_\(suffix)")),
                                     tolerance, "\(group) \(suffix) W")
            XCTAssertLessThanOrEqual(
                fit.components.relativeDifference(to: try fixture.matrix("\(group)/H_fit_\(suffix)")),
                tolerance, "\(group) \(suffix) H")
        }
    }
}
