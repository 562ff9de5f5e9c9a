import BlockNMF
import Foundation
import HDF5Store
import NMFKernels
import TestSupport
import XCTest

/// The multiplicative update for β-divergences against scikit-learn: iterates from a
/// custom init, fits stopped by tol, transform; and the reported error against a
/// divergence computed here entry by entry.
final class SklearnBetaDivergenceTests: XCTestCase {
    private let fixture: () throws -> FixtureFile = { try FixtureFile("sklearn_beta.h5") }

    func testIteratesMatchScikitLearn() throws {
        let file = try fixture()
        var count = 0
        for name in try file.caseNames where name.hasPrefix("iterates_") {
            if try file.string("dtype", of: "/\(name)") == "float32" {
                try checkIterates(file, "/\(name)", as: Float.self)
            } else {
                try checkIterates(file, "/\(name)", as: Double.self)
            }
            count += 1
        }
        XCTAssertGreaterThanOrEqual(count, 14)
    }

    private func checkIterates<T: FixturePrecision>(_ fixture: FixtureFile, _ group: String, as _: T.Type) throws {
        let v: Matrix<T> = try fixture.matrix("\(group)/X")
        let w0: Matrix<T> = try fixture.matrix("\(group)/W0")
        let h0: Matrix<T> = try fixture.matrix("\(group)/H0")
        let loss = BetaLoss(beta: try fixture.double("beta_loss", of: group))
        let tolerance = Parity.tolerance(forDtype: T.precisionName)
        for iterations in [1, 10, 100] {
            let configuration = NMFConfiguration(
                components: try fixture.integer("n_components", of: group), solver: .mu,
                initialization: .custom, maxIterations: iterations, tolerance: 0,
                regularization: try fixture.regularization(of: group), loss: loss)
            let fit = try NMF<T>(configuration).fit(v, initialW: w0, initialH: h0)
            XCTAssertEqual(fit.report.iterations, iterations)
            XCTAssertLessThanOrEqual(fit.w.relativeDifference(to: try fixture.matrix("\(group)/W_\(iterations)")),
                                     tolerance, "\(group) W after \(iterations)")
            XCTAssertLessThanOrEqual(
                fit.components.relativeDifference(to: try fixture.matrix("\(group)/H_\(iterations)")),
                tolerance, "\(group) H after \(iterations)")
            let naive = NaiveDivergence.reconstructionError(v, fit.w, fit.components, beta: loss.beta)
            // W·H is formed in the working precision, the naive sum in Double.
            let agreement = T.self == Float.self ? 1e-6 : 1e-9
            XCTAssertEqual(fit.report.reconstructionError, naive, accuracy: agreement * max(naive, 1),
                           "\(group) error after \(iterations)")
        }
    }

    func testFitsStopWhereScikitLearnStops() throws {
        let file = try fixture()
        var count = 0
        for name in try file.caseNames where name.hasPrefix("fit_") {
            let group = "/\(name)"
            let v: Matrix<Double> = try file.matrix("\(group)/X")
            let configuration = NMFConfiguration(
                components: try file.integer("n_components", of: group), solver: .mu,
                initialization: InitializationMethod(rawValue: try file.string("init", of: group))!,
                maxIterations: try file.integer("max_iter", of: group), tolerance: try file.double("tol", of: group),
                seed: UInt32(try file.integer("random_state", of: group)),
                loss: BetaLoss(beta: try file.double("beta_loss", of: group)))
            let fit = try NMF<Double>(configuration, threads: 2).fit(v)
            let expectedIterations = try file.integer("n_iter", of: group)
            XCTAssertEqual(fit.report.iterations, expectedIterations, name)
            XCTAssertTrue(fit.report.converged, name)
            XCTAssertLessThanOrEqual(fit.w.relativeDifference(to: try file.matrix("\(group)/W")), 1e-6, name)
            XCTAssertLessThanOrEqual(fit.components.relativeDifference(to: try file.matrix("\(group)/H")), 1e-6, name)
            let expectedError = try file.double("reconstruction_err", of: group)
            XCTAssertEqual(fit.report.reconstructionError, expectedError, accuracy: 1e-6 * expectedError, name)
            // The history holds the initial error and every 10th iterate's, NaN elsewhere.
            let history = fit.report.lossHistory
            XCTAssertEqual(history.count, expectedIterations + 1, name)
            for (iteration, value) in history.enumerated() {
                XCTAssertEqual(value.isNaN, iteration % 10 != 0, "\(name) history at \(iteration)")
            }
            XCTAssertEqual(history[expectedIterations], fit.report.reconstructionError,
                           accuracy: 1e-9 * expectedError, name)
            count += 1
        }
        XCTAssertEqual(count, 4)
    }

    func testTransformMatchesScikitLearn() throws {
        let file = try fixture()
        var count = 0
        for name in try file.caseNames where name.hasPrefix("transform_") {
            let group = "/\(name)"
            let configuration = NMFConfiguration(
                components: try file.integer("n_components", of: group), solver: .mu,
                maxIterations: try file.integer("max_iter", of: group), tolerance: try file.double("tol", of: group),
                regularization: try file.regularization(of: group),
                loss: BetaLoss(beta: try file.double("beta_loss", of: group)))
            let model = FittedNMF<Double>(
                configuration: configuration, w: Matrix(rows: 0, columns: configuration.components),
                components: try file.matrix("\(group)/H"),
                report: FitReport(iterations: 0, converged: false, lossHistory: [], initialization: "custom",
                                  reconstructionError: 0, elapsedSeconds: 0))
            let (w, report) = try model.transform(InMemoryRowBlocks(try file.matrix("\(group)/X_new")))
            XCTAssertEqual(report.iterations, try file.integer("n_iter_transform", of: group), name)
            XCTAssertLessThanOrEqual(w.relativeDifference(to: try file.matrix("\(group)/W_new")), 1e-6, name)
            count += 1
        }
        XCTAssertEqual(count, 3)
    }

    /// Zeros, values near float32's underflow and huge values: every iterate stays finite
    /// and non-negative for each β the update has a separate branch for.
    func testIteratesStayFiniteWithZerosAndTinyValues() throws {
        var v = TestMatrices.planted(300, 40, rank: 4, seed: 5, as: Float.self)
        for index in v.elements.indices {
            switch index % 7 {
            case 0: v.elements[index] = 0
            case 1: v.elements[index] = 1e-38
            case 2: v.elements[index] = Float.leastNonzeroMagnitude
            default: break
            }
        }
        for beta in [0, 0.5, 1, 1.5, 3, -0.5] {
            var data = v
            if beta <= 0 { for index in data.elements.indices where data.elements[index] == 0 { data.elements[index] = 1e-38 } }
            for iterations in [1, 10, 60] {
                let configuration = NMFConfiguration(components: 4, solver: .mu, initialization: .random,
                                                     maxIterations: iterations, tolerance: 0, loss: BetaLoss(beta: beta))
                let fit = try NMF<Float>(configuration, threads: 2).fit(data)
                for (name, factor) in [("W", fit.w), ("H", fit.components)] {
                    XCTAssertTrue(factor.elements.allSatisfy { $0.isFinite && $0 >= 0 },
                                  "β = \(beta): \(name) after \(iterations) iterations")
                }
                XCTAssertTrue(fit.report.reconstructionError.isFinite, "β = \(beta)")
            }
        }
    }

    func testNonPositiveBetaRefusesZerosWithTheirPosition() throws {
        var v = TestMatrices.planted(30, 8, rank: 2, seed: 1, as: Double.self)
        v[17, 3] = 0
        let configuration = NMFConfiguration(components: 2, solver: .mu, loss: .itakuraSaito)
        XCTAssertThrowsError(try NMF<Double>(configuration).fit(v)) { error in
            guard case NMFError.zeroWithNonPositiveBeta(_, 17, 3, _) = error else {
                return XCTFail("\(error)")
            }
        }
        // β > 0 accepts zeros.
        XCTAssertNoThrow(try NMF<Double>(NMFConfiguration(components: 2, solver: .mu, maxIterations: 5,
                                                          loss: .kullbackLeibler)).fit(v))
    }

    func testOnlyTheMultiplicativeUpdateTakesOtherLosses() {
        for solver in [Solver.cd, .hals] {
            XCTAssertThrowsError(try NMFConfiguration(components: 2, solver: solver, loss: .kullbackLeibler).validate())
        }
        XCTAssertEqual(BetaLoss(parsing: "kullback-leibler"), BetaLoss(beta: 1))
        XCTAssertEqual(BetaLoss(parsing: "itakura-saito"), BetaLoss(beta: 0))
        XCTAssertEqual(BetaLoss(parsing: "1.5"), BetaLoss(beta: 1.5))
        XCTAssertNil(BetaLoss(parsing: "poisson"))
        XCTAssertNil(BetaLoss(parsing: "nan"))
    }
}

/// The β-divergence entry by entry from its definition (Févotte & Idier 2011),
/// with scikit-learn's guards: entries where v ≤ EPSILON contribute only their
/// W·H terms, and W·H is raised to EPSILON where it divides or is logged.
enum NaiveDivergence {
    static func reconstructionError<T: NMFScalar>(_ v: Matrix<T>, _ w: Matrix<T>, _ h: Matrix<T>, beta: Double) -> Double {
        let epsilon = Double(Float.ulpOfOne)
        var total = 0.0
        for i in 0..<v.rows {
            for j in 0..<v.columns {
                var y = 0.0
                for c in 0..<w.columns { y += Double(w[i, c]) * Double(h[c, j]) }
                let x = Double(v[i, j])
                let present = x > epsilon
                let clipped = max(y, epsilon)
                switch beta {
                case 1: total += present ? x * log(x / clipped) - x + y : y
                case 0: total += present ? x / clipped - log(x / clipped) - 1 : -1
                default:
                    // d(x | y) = (x^β + (β − 1)·y^β − β·x·y^(β−1)) / (β(β − 1)); y^β/β where x is absent.
                    total += present
                        ? (pow(x, beta) + (beta - 1) * pow(y, beta) - beta * x * pow(clipped, beta - 1)) / (beta * (beta - 1))
                        : pow(y, beta) / beta
                }
            }
        }
        return (2 * max(total, 0)).squareRoot()
    }
}
