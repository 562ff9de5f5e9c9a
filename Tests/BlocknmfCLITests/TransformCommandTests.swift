import Foundation
import HDF5Store
import TestSupport
import XCTest

/// `transform` and `inverse-transform`: scikit-learn's numbers through the built binary,
/// the same result streamed or not, W·H exactly, and every refusal as one line.
final class TransformCommandTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    /// Tests/Fixtures/sklearn_transform.h5 (tools/make_fixtures.py): per case, scikit-learn's
    /// NMF fitted on X from nndsvda (H, n_iter_fit), then `transform(X_new)` (W_new, n_iter_transform).
    private static let fixture = fixturePath("sklearn_transform.h5")

    /// The model made by `factor` with the case's parameters, then `transform` of the new
    /// rows: H, W and both iteration counts as scikit-learn's.
    func testFactorThenTransformMatchesScikitLearn() throws {
        let fixture = try HDF5File.openReadOnly(Self.fixture)
        let cases = try fixture.memberNames(of: "/", kind: .group)
        XCTAssertEqual(cases.count, 6)
        for name in cases {
            let group = "/\(name)"
            func attribute(_ key: String) throws -> String { try attributeText(fixture, key, of: group) }
            let dtype = try attribute("dtype")
            let tolerance = dtype == "float32" ? 1e-3 : 1e-6
            let model = scratch.file("\(name)-model.h5"), w = scratch.file("\(name)-w.h5")
            let fit = try BlocknmfExecutable.run([
                "factor", Self.fixture, "--dataset", "\(group)/X", "--rank", try attribute("n_components"),
                "--solver", try attribute("solver"), "--init", try attribute("init"),
                "--seed", try attribute("random_state"), "--max-iter", try attribute("max_iter"),
                "--tol", try attribute("tol"), "--alpha-w", try attribute("alpha_W"),
                "--alpha-h", try attribute("alpha_H"), "--l1-ratio", try attribute("l1_ratio"),
                "--output", model, "--quiet",
            ])
            XCTAssertEqual(fit.status, 0, fit.standardError)
            let fitted = try HDF5File.openReadOnly(model)
            XCTAssertLessThanOrEqual(try relativeDifference(fitted, "/H", fixture, "\(group)/H"), tolerance, name)
            XCTAssertEqual(try fitted.attribute("n_iter"), try fixture.attribute("n_iter_fit", of: group), name)

            let transform = try BlocknmfExecutable.run([
                "transform", Self.fixture, "--dataset", "\(group)/X_new", "--model", model, "--output", w, "--quiet",
            ])
            XCTAssertEqual(transform.status, 0, transform.standardError)
            XCTAssertEqual(transform.standardError, "")
            XCTAssertTrue(transform.standardOutput.hasPrefix("\(Self.fixture):\(group)/X_new (15×20, \(dtype)) with \(model)"),
                          transform.standardOutput)
            let result = try HDF5File.openReadOnly(w)
            XCTAssertLessThanOrEqual(try relativeDifference(result, "/W", fixture, "\(group)/W_new"), tolerance, name)
            XCTAssertEqual(try result.attribute("n_iter"), try fixture.attribute("n_iter_transform", of: group), name)
            XCTAssertEqual(try result.attribute("precision"), .string(dtype), name)
            XCTAssertEqual(try result.attribute("model_file"), .string(model), name)
            XCTAssertEqual(try result.attribute("input_dataset"), .string("\(group)/X_new"), name)
            guard case .integer(let iterations) = try result.attribute("n_iter") else { return XCTFail(name) }
            XCTAssertEqual(try result.readArray(dataset: "/loss_history", as: Double.self).shape, [iterations + 1])
            for key in ["reconstruction_err", "relative_error", "converged", "solver", "tol", "max_iter", "alpha_W"] {
                XCTAssertNoThrow(try result.attribute(key), "\(name) \(key)")
            }
        }
    }

    /// 1300 rows streamed in 256-row blocks on two threads give the W of the rows held in
    /// memory on one, bit for bit.
    func testStreamedTransformEqualsInMemoryTransform() throws {
        for (file, rows) in [("fit.h5", 900), ("new.h5", 1300)] {
            let made = try BlocknmfExecutable.run(["generate", scratch.file(file), "--rows", "\(rows)", "--cols", "40",
                                                   "--rank", "4", "--noise", "0.05", "--seed", "\(rows)", "--quiet"])
            XCTAssertEqual(made.status, 0, made.standardError)
        }
        let fit = try BlocknmfExecutable.run(["factor", scratch.file("fit.h5"), "--dataset", "/X", "--rank", "4",
                                              "--max-iter", "30", "--output", scratch.file("model.h5"), "--quiet"])
        XCTAssertEqual(fit.status, 0, fit.standardError)
        var results: [[Float]] = []
        for (extra, mode) in [(["--threads", "1"], "resident"), (["--threads", "2", "--block-rows", "256"], "streamed")] {
            let output = scratch.file("w-\(mode).h5")
            let run = try BlocknmfExecutable.run(["transform", scratch.file("new.h5"), "--dataset", "/X",
                                                  "--model", scratch.file("model.h5"), "--output", output,
                                                  "--quiet", "--json"] + extra)
            XCTAssertEqual(run.status, 0, run.standardError)
            let summary = try run.jsonSummary()
            XCTAssertEqual((summary["plan"] as? [String: Any])?["mode"] as? String, mode)
            XCTAssertEqual(summary["rows"] as? Int, 1300)
            let w = try HDF5File.openReadOnly(output).readMatrix(dataset: "/W", as: Float.self)
            XCTAssertEqual([w.rows, w.columns], [1300, 4])
            results.append(w.elements)
        }
        XCTAssertEqual(results[0], results[1])
        XCTAssertGreaterThan(results[0].max() ?? 0, 0)
    }

    /// Small whole numbers make every product and sum exact in float64, so W·H has one right
    /// answer whatever order the products are summed in; 1 KiB holds 12 rows of W and X,
    /// so the 100 rows take several blocks.
    func testInverseTransformWritesExactlyWTimesH() throws {
        let (m, k, n) = (100, 3, 7)
        let w = (0..<(m * k)).map { Double(($0 * 7 + 3) % 6) }
        let h = (0..<(k * n)).map { Double(($0 * 5 + 1) % 9) }
        let inputs = try HDF5File.create(scratch.file("w.h5"))
        try inputs.write(dataset: "/W", shape: [m, k], elements: w)
        try inputs.close()
        let model = try HDF5File.create(scratch.file("model.h5"))
        try model.write(dataset: "/H", shape: [k, n], elements: h)
        try model.close()

        let result = try BlocknmfExecutable.run(["inverse-transform", scratch.file("w.h5"), "--model",
                                                 scratch.file("model.h5"), "--output", scratch.file("x.h5"),
                                                 "--memory", "1KiB"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("100×7 in 12-row blocks"), result.standardOutput)
        let x = try HDF5File.openReadOnly(scratch.file("x.h5"))
        let product = try x.readMatrix(dataset: "/X", as: Double.self)
        XCTAssertEqual([product.rows, product.columns], [m, n])
        var expected = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                for r in 0..<k { expected[i * n + j] += w[i * k + r] * h[r * n + j] }
            }
        }
        XCTAssertEqual(product.elements, expected)
        XCTAssertEqual(try x.attribute("model_file"), .string(scratch.file("model.h5")))
        XCTAssertEqual(try x.attribute("input_dataset"), .string("/W"))
        XCTAssertEqual(try x.attribute("precision"), .string("float64"))
        XCTAssertEqual(Set(scratch.contents), ["w.h5", "model.h5", "x.h5"])
    }

    /// transform's output is inverse-transform's input; float32 stays float32.
    func testTransformOutputGoesBackThroughInverseTransform() throws {
        let made = try BlocknmfExecutable.run(["generate", scratch.file("v.h5"), "--rows", "300", "--cols", "30",
                                               "--rank", "3", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
        let steps = [
            ["factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "3", "-o", scratch.file("model.h5"), "--quiet"],
            ["transform", scratch.file("v.h5"), "--dataset", "/X", "--model", scratch.file("model.h5"),
             "-o", scratch.file("w.h5"), "--quiet"],
            ["inverse-transform", scratch.file("w.h5"), "--model", scratch.file("model.h5"), "-o", scratch.file("x.h5")],
        ]
        for step in steps {
            let run = try BlocknmfExecutable.run(step)
            XCTAssertEqual(run.status, 0, "\(step[0]): \(run.standardError)")
        }
        let datasets = try HDF5File.openReadOnly(scratch.file("x.h5")).datasets()
        XCTAssertEqual(datasets.map(\.path), ["/X"])
        XCTAssertEqual(datasets.first?.shape, [300, 30])
        XCTAssertEqual(datasets.first?.elementType.name, "float32")
        // Planted rank 3 without noise: W·H comes back close to V.
        let v = try HDF5File.openReadOnly(scratch.file("v.h5")).readMatrix(dataset: "/X", as: Double.self)
        let x = try HDF5File.openReadOnly(scratch.file("x.h5")).readMatrix(dataset: "/X", as: Double.self)
        let difference = zip(v.elements, x.elements).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let norm = v.elements.reduce(0.0) { $0 + $1 * $1 }
        XCTAssertLessThan((difference / norm).squareRoot(), 1e-2)
    }

    // MARK: - Refusals

    /// A model file with H (2×8) and the attributes `factor` writes, minus `omitting`.
    private func writeModel(_ name: String, h: [Double] = (0..<16).map { Double($0 % 5) }, omitting: String? = nil,
                            replacing replaced: [String: AttributeValue] = [:]) throws {
        let file = try HDF5File.create(scratch.file(name))
        try file.write(dataset: "/H", shape: [2, h.count / 2], elements: h)
        var attributes: [(String, AttributeValue)] = [
            ("n_components", .integer(2)), ("solver", .string("cd")), ("max_iter", .integer(50)),
            ("tol", .double(1e-4)), ("alpha_W", .double(0)), ("alpha_H", .string("same")), ("l1_ratio", .double(0)),
        ]
        attributes = attributes.map { key, value in (key, replaced[key] ?? value) }
            + replaced.filter { key, _ in !attributes.contains { $0.0 == key } }.sorted { $0.key < $1.key }
        for (key, value) in attributes where key != omitting { try file.setAttribute(key, value) }
        try file.close()
    }

    /// Runs a command expecting failure: one line on stderr, nothing on stdout, no output
    /// file and no temporary file.
    private func refusal(_ arguments: [String], status: Int32, file: StaticString = #filePath,
                         line: UInt = #line) throws -> String {
        let before = Set(scratch.contents)
        let result = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(result.status, status, result.standardError, file: file, line: line)
        XCTAssertEqual(result.standardOutput, "", file: file, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardError, file: file, line: line)
        XCTAssertEqual(Set(scratch.contents), before, "files left behind", file: file, line: line)
        return String(lines.first ?? "")
    }

    private func transform(_ input: String = "new.h5", dataset: String = "/X", model: String = "model.h5",
                           output: String = "w.h5") -> [String] {
        ["transform", scratch.file(input), "--dataset", dataset, "--model", scratch.file(model),
         "--output", scratch.file(output), "--quiet"]
    }

    private func writeNewRows() throws {
        let file = try HDF5File.create(scratch.file("new.h5"))
        var rows = (0..<(6 * 8)).map { Double($0 % 4) + 0.5 }
        try file.write(dataset: "/X", shape: [6, 8], elements: rows)
        try file.write(dataset: "/wide", shape: [4, 12], elements: rows)
        rows[13] = -3
        try file.write(dataset: "/negative", shape: [6, 8], elements: rows)
        try file.close()
    }

    func testAMissingModelFileOrComponentsAreInputMissing() throws {
        try writeNewRows()
        let absent = try refusal(transform(model: "absent.h5"), status: 66)
        XCTAssertEqual(absent, "blocknmf: error: file \(scratch.file("absent.h5")) does not exist")
        let noH = try refusal(transform(model: "new.h5", output: "w.h5"), status: 66)
        XCTAssertTrue(noH.contains("dataset '/H' not found in \(scratch.file("new.h5"))"), noH)
        let inverse = try refusal(["inverse-transform", scratch.file("new.h5"), "--dataset", "/X",
                                   "--model", scratch.file("absent.h5"), "-o", scratch.file("x.h5")], status: 66)
        XCTAssertTrue(inverse.contains("does not exist"), inverse)
    }

    func testAModelWithoutItsParametersIsRefused() throws {
        try writeNewRows()
        try writeModel("model.h5", omitting: "solver")
        let message = try refusal(transform(), status: 65)
        XCTAssertEqual(message, "blocknmf: error: model \(scratch.file("model.h5")) has no attribute 'solver'; "
                       + "a model is a result file of blocknmf factor")
        try writeModel("negative.h5", h: (0..<16).map { $0 == 9 ? -1 : 1 })
        let negative = try refusal(transform(model: "negative.h5"), status: 65)
        XCTAssertTrue(negative.contains("negative.h5:/H has -1.0 at row 1, column 1"), negative)
    }

    /// A model's parameters are held to the rules `factor`'s options are: each refusal names
    /// the attribute, its value and the rule.
    func testAModelWhoseParametersBreakTheirRulesIsRefused() throws {
        try writeNewRows()
        let cases: [([String: AttributeValue], String)] = [
            (["max_iter": .integer(0)], "attribute 'max_iter' is 0; it must be at least 1"),
            (["tol": .double(-1)], "attribute 'tol' is -1.0; it must be a finite number ≥ 0"),
            (["alpha_W": .double(.infinity)], "attribute 'alpha_W' is inf; it must be a finite number ≥ 0"),
            (["l1_ratio": .double(1.5)], "attribute 'l1_ratio' is 1.5; it must be in [0, 1]"),
            (["alpha_H": .string("-1")], "attribute 'alpha_H' is -1.0; it must be a finite number ≥ 0 or 'same'"),
            (["solver": .string("hals"), "inner_sweeps": .integer(0)],
             "attribute 'inner_sweeps' is 0; it must be at least 1"),
            (["beta_loss": .string("kullback-leibler")],
             "attribute 'beta_loss' is kullback-leibler; it needs solver mu, the only solver for losses other than frobenius"),
            (["n_components": .integer(3)], "attribute 'n_components' is 3; it must be the 2 rows of /H"),
        ]
        for (replaced, requirement) in cases {
            try writeModel("bad.h5", replacing: replaced)
            let message = try refusal(transform(model: "bad.h5"), status: 65)
            XCTAssertEqual(message, "blocknmf: error: model \(scratch.file("bad.h5")): \(requirement)", "\(replaced)")
            try FileManager.default.removeItem(atPath: scratch.file("bad.h5"))
        }
    }

    func testRowsOfOtherFeaturesAreRefused() throws {
        try writeNewRows()
        try writeModel("model.h5")
        let message = try refusal(transform(dataset: "/wide"), status: 65)
        XCTAssertEqual(message, "blocknmf: error: \(scratch.file("new.h5")):/wide has 12 columns but the model "
                       + "\(scratch.file("model.h5")) has 8 features (H is 2×8); "
                       + "transform needs rows of the features the model was fitted on")
        let inverse = try refusal(["inverse-transform", scratch.file("new.h5"), "--dataset", "/X",
                                   "--model", scratch.file("model.h5"), "-o", scratch.file("x.h5")], status: 65)
        XCTAssertTrue(inverse.contains("/X has 8 columns but the model \(scratch.file("model.h5")) has 2 components"),
                      inverse)
    }

    func testBadRowsAndOutputsThatWouldReplaceAnInput() throws {
        try writeNewRows()
        try writeModel("model.h5")
        let negative = try refusal(transform(dataset: "/negative"), status: 65)
        XCTAssertTrue(negative.contains("negative value -3.0 at row 1, column 5"), negative)
        let overModel = try refusal(transform(output: "model.h5"), status: 73)
        XCTAssertTrue(overModel.contains("is the model file"), overModel)
        let overInput = try refusal(transform(output: "new.h5"), status: 73)
        XCTAssertTrue(overInput.contains("is the input file"), overInput)
        let noDirectory = try refusal(transform(output: "missing/w.h5"), status: 73)
        XCTAssertTrue(noDirectory.contains("cannot create"), noDirectory)
    }

    func testTheModelsCheckedParametersWork() throws {
        try writeNewRows()
        try writeModel("model.h5")
        let run = try BlocknmfExecutable.run(transform() + ["--json"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let summary = try run.jsonSummary()
        let configuration = summary["configuration"] as? [String: Any]
        XCTAssertEqual(configuration?["solver"] as? String, "cd")
        XCTAssertEqual(configuration?["maxIterations"] as? Int, 50)
        XCTAssertEqual(configuration?["components"] as? Int, 2)
    }
}
