import Foundation
import HDF5Store
import TestSupport
import XCTest

/// `--loss` through the built binary: scikit-learn's fits of β-divergences, the model
/// file's `beta_loss` read back by `transform`, and the refusals.
final class LossCommandTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    /// Tests/Fixtures/sklearn_beta.h5 (tools/make_fixtures.py): fits stopped by tol.
    private static let fixture = fixturePath("sklearn_beta.h5")

    func testFactorMatchesScikitLearnAndTransformReadsTheLoss() throws {
        let fixture = try HDF5File.openReadOnly(Self.fixture)
        let cases = try fixture.memberNames(of: "/", kind: .group).filter { $0.hasPrefix("fit_") }
        XCTAssertEqual(cases.count, 4)
        for name in cases {
            let group = "/\(name)"
            func attribute(_ key: String) throws -> String { try attributeText(fixture, key, of: group) }
            let model = scratch.file("\(name).h5")
            let fit = try BlocknmfExecutable.run([
                "factor", Self.fixture, "--dataset", "\(group)/X", "--rank", try attribute("n_components"),
                "--solver", "mu", "--loss", try attribute("beta_loss"), "--init", try attribute("init"),
                "--seed", try attribute("random_state"), "--max-iter", try attribute("max_iter"),
                "--tol", try attribute("tol"), "--block-rows", "256", "--output", model,
            ])
            XCTAssertEqual(fit.status, 0, fit.standardError)
            XCTAssertTrue(fit.standardError.contains("error"), fit.standardError)
            let fitted = try HDF5File.openReadOnly(model)
            XCTAssertLessThanOrEqual(try relativeDifference(fitted, "/H", fixture, "\(group)/H"), 1e-6, name)
            XCTAssertLessThanOrEqual(try relativeDifference(fitted, "/W", fixture, "\(group)/W"), 1e-6, name)
            XCTAssertEqual(try fitted.attribute("n_iter"), try fixture.attribute("n_iter", of: group), name)
            guard case .double(let error) = try fitted.attribute("reconstruction_err"),
                  case .double(let expected) = try fixture.attribute("reconstruction_err", of: group) else {
                return XCTFail("reconstruction_err is a double")
            }
            XCTAssertEqual(error, expected, accuracy: 1e-6 * expected, name)
            let beta = Double(try attribute("beta_loss"))!
            let named = [0.0: "itakura-saito", 1.0: "kullback-leibler"][beta] ?? "\(beta)"
            XCTAssertEqual(try fitted.attribute("beta_loss"), .string(named), name)
            XCTAssertThrowsError(try fitted.attribute("relative_error"), "no relative error for \(named)")

            // transform reads the model's loss and writes it with its result.
            let w = scratch.file("\(name)-w.h5")
            let transform = try BlocknmfExecutable.run([
                "transform", Self.fixture, "--dataset", "\(group)/X", "--model", model, "--output", w, "--quiet",
            ])
            XCTAssertEqual(transform.status, 0, transform.standardError)
            XCTAssertEqual(try HDF5File.openReadOnly(w).attribute("beta_loss"), .string(named), name)
        }
    }

    /// Without --solver, a loss other than Frobenius is fitted by `mu`, its only solver: the same
    /// result as `--solver mu`, and the summary names it.
    func testALossOtherThanFrobeniusDefaultsToMU() throws {
        let input = scratch.file("v.h5")
        let made = try BlocknmfExecutable.run(["generate", input, "--rows", "300", "--cols", "20", "--rank", "3",
                                               "--seed", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
        func fit(_ extra: [String], _ name: String) throws -> (line: String, w: [Float], h: [Float]) {
            let output = scratch.file(name)
            let run = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "3", "--max-iter", "30",
                                                  "--loss", "kullback-leibler", "--output", output] + extra)
            XCTAssertEqual(run.status, 0, run.standardError)
            let file = try HDF5File.openReadOnly(output)
            return (run.standardOutput, try file.readMatrix(dataset: "/W", as: Float.self).elements,
                    try file.readMatrix(dataset: "/H", as: Float.self).elements)
        }
        let chosen = try fit([], "default.h5"), asked = try fit(["--solver", "mu"], "mu.h5")
        XCTAssertTrue(chosen.line.contains("rank 3, mu, init nndsvda"), chosen.line)
        XCTAssertEqual(chosen.w, asked.w)
        XCTAssertEqual(chosen.h, asked.h)
    }

    func testRefusals() throws {
        let input = scratch.file("v.h5")
        let made = try BlocknmfExecutable.run(["generate", input, "--rows", "300", "--cols", "20", "--rank", "3",
                                               "--seed", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
        let base = ["factor", input, "--dataset", "/X", "--rank", "3", "--output", scratch.file("out.h5"), "--quiet"]
        let unknown = try BlocknmfExecutable.run(base + ["--loss", "poisson", "--solver", "mu"])
        XCTAssertEqual(unknown.status, 64, unknown.standardError)
        let wrongSolver = try BlocknmfExecutable.run(base + ["--loss", "kullback-leibler", "--solver", "hals"])
        XCTAssertEqual(wrongSolver.status, 64, wrongSolver.standardError)
        XCTAssertTrue(wrongSolver.standardError.contains("needs --solver mu (solver 'hals'"), wrongSolver.standardError)
        let zeros = try BlocknmfExecutable.run([
            "factor", Self.fixture, "--dataset", "/iterates_beta1p0_f64_noreg_30x20_zeros/X", "--rank", "3",
            "--output", scratch.file("out.h5"), "--loss", "itakura-saito", "--solver", "mu", "--quiet"])
        XCTAssertEqual(zeros.status, 65, zeros.standardError)
        XCTAssertTrue(zeros.standardError.contains("has a zero at row"), zeros.standardError)
        XCTAssertEqual(zeros.standardError.split(separator: "\n").count, 1, zeros.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))
    }

    /// A fit stopped by tol at iteration 30 undoes pass 31: with W in a scratch file as in
    /// memory, the same bits as 30 iterations without tol.
    func testStoppedFitEqualsTheFitOfItsIterationCount() throws {
        let input = scratch.file("v.h5")
        let made = try BlocknmfExecutable.run(["generate", input, "--rows", "2000", "--cols", "120", "--rank", "6",
                                               "--noise", "0.1", "--seed", "5", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
        let common = ["factor", input, "--dataset", "/X", "--rank", "6", "--solver", "mu", "--loss", "kullback-leibler",
                      "--init", "random", "--block-rows", "256", "--quiet"]
        var results: [[Float]] = []
        for (name, extra) in [("stopped-scratch", ["--tol", "2e-2", "--max-iter", "60", "--w-storage", "scratch"]),
                              ("stopped-memory", ["--tol", "2e-2", "--max-iter", "60"]),
                              ("exact", ["--tol", "0", "--max-iter", "30", "--w-storage", "scratch"])] {
            let output = scratch.file("\(name).h5")
            let run = try BlocknmfExecutable.run(common + extra + ["--output", output])
            XCTAssertEqual(run.status, 0, run.standardError)
            let file = try HDF5File.openReadOnly(output)
            XCTAssertEqual(try file.attribute("n_iter"), .integer(30), name)
            results.append(try file.readMatrix(dataset: "/W", as: Float.self).elements
                + file.readMatrix(dataset: "/H", as: Float.self).elements)
        }
        XCTAssertEqual(results[0], results[2], "W in a scratch file")
        XCTAssertEqual(results[1], results[2], "W in memory")
    }
}
