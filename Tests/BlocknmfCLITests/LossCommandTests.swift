import Foundation
import HDF5Store
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

            // transform of the fitted rows with the model's loss lands near the fit's W.
            let w = scratch.file("\(name)-w.h5")
            let transform = try BlocknmfExecutable.run([
                "transform", Self.fixture, "--dataset", "\(group)/X", "--model", model, "--output", w, "--quiet",
            ])
            XCTAssertEqual(transform.status, 0, transform.standardError)
            XCTAssertEqual(try HDF5File.openReadOnly(w).attribute("beta_loss"), .string(named), name)
        }
    }

    func testRefusals() throws {
        let input = scratch.file("v.h5")
        let made = try BlocknmfExecutable.run(["generate", input, "--rows", "300", "--cols", "20", "--rank", "3",
                                               "--seed", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
        let base = ["factor", input, "--dataset", "/X", "--rank", "3", "--output", scratch.file("out.h5"), "--quiet"]
        let unknown = try BlocknmfExecutable.run(base + ["--loss", "poisson", "--solver", "mu"])
        XCTAssertEqual(unknown.status, 64, unknown.standardError)
        let wrongSolver = try BlocknmfExecutable.run(base + ["--loss", "kullback-leibler"])
        XCTAssertEqual(wrongSolver.status, 64, wrongSolver.standardError)
        XCTAssertTrue(wrongSolver.standardError.contains("needs --solver mu"), wrongSolver.standardError)
        let zeros = try BlocknmfExecutable.run([
            "factor", Self.fixture, "--dataset", "/iterates_beta1p0_f64_noreg_30x20_zeros/X", "--rank", "3",
            "--output", scratch.file("out.h5"), "--loss", "itakura-saito", "--solver", "mu", "--quiet"])
        XCTAssertEqual(zeros.status, 65, zeros.standardError)
        XCTAssertTrue(zeros.standardError.contains("has a zero at row"), zeros.standardError)
        XCTAssertEqual(zeros.standardError.split(separator: "\n").count, 1, zeros.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))
    }
}
