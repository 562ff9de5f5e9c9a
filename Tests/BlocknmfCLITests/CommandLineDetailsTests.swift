import Foundation
import HDF5Store
import TestSupport
import XCTest

/// What a user reads: the version, negative option values reaching their own checks, counts
/// in the number they take, `--block-rows` as asked, and the quantity the stopping rule tests.
final class CommandLineDetailsTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var data: String { scratch.file("data.h5") }

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let made = try BlocknmfExecutable.run(["generate", data, "--rows", "1000", "--cols", "20", "--rank", "3",
                                               "--noise", "0.1", "--seed", "2", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
    }

    override func tearDown() { scratch = nil }

    func testVersion() throws {
        let root = try BlocknmfExecutable.run(["--version"])
        XCTAssertEqual(root.status, 0, root.standardError)
        XCTAssertNotNil(root.standardOutput.wholeMatch(of: /\d+\.\d+\.\d+\n/), root.standardOutput)
        let subcommand = try BlocknmfExecutable.run(["factor", "--version"])
        XCTAssertEqual(subcommand.standardOutput, root.standardOutput)
    }

    /// A negative number is the option's value, so the option's own rule answers: the
    /// library's requirement (status 64), or ArgumentParser's for a type that has no negative
    /// values; never "Missing value".
    func testNegativeValuesReachTheirChecks() throws {
        let model = scratch.file("model.h5")
        let fitted = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--max-iter", "5", "-o", model, "--quiet"])
        XCTAssertEqual(fitted.status, 0, fitted.standardError)
        let factor = ["factor", data, "--dataset", "/X", "-o", scratch.file("out.h5"), "--quiet"]
        let transform = ["transform", data, "--dataset", "/X", "--model", model, "-o", scratch.file("out.h5"), "--quiet"]
        let generate = ["generate", scratch.file("out.h5"), "--rows", "10", "--cols", "5", "--rank", "2", "--quiet"]
        let cases: [([String], String)] = [
            (factor + ["--rank", "-2"], "blocknmf: error: invalid --rank -2: must be at least 1"),
            (factor + ["-k", "-2"], "blocknmf: error: invalid --rank -2: must be at least 1"),
            (factor + ["-k", "3", "--tol", "-1"], "blocknmf: error: invalid --tol -1.0: must be a finite number ≥ 0"),
            (factor + ["-k", "3", "--max-iter", "-1"], "blocknmf: error: invalid --max-iter -1: must be at least 1"),
            (factor + ["-k", "3", "--inner-sweeps", "-4"], "blocknmf: error: invalid --inner-sweeps -4: must be at least 1"),
            (factor + ["-k", "3", "--alpha-w", "-0.5"],
             "blocknmf: error: invalid --alpha-w -0.5: must be a finite number ≥ 0"),
            (factor + ["-k", "3", "--alpha-h", "-1"],
             "blocknmf: error: invalid --alpha-h -1.0: must be a finite number ≥ 0 or 'same'"),
            (factor + ["-k", "3", "--l1-ratio", "-0.1"], "blocknmf: error: invalid --l1-ratio -0.1: must be in [0, 1]"),
            (factor + ["-k", "3", "--solver", "cd", "--loss", "-0.5"],
             "blocknmf: error: invalid --loss -0.5: needs --solver mu (solver 'cd' minimizes the Frobenius loss only)"),
            (factor + ["-k", "3", "--threads", "-1"], "blocknmf: error: invalid --threads -1: must be at least 1"),
            (factor + ["-k", "3", "--block-rows", "-5"], "blocknmf: error: invalid --block-rows -5: must be at least 1"),
            (factor + ["-k", "3", "--seed", "-1"], "Error: The value '-1' is invalid for '--seed <seed>'"),
            (factor + ["-k", "3", "--memory", "-1GiB"], "Error: The value '-1GiB' is invalid for '--memory <memory>'"),
            (factor + ["-k", "3", "--checkpoint", scratch.file("c"), "--checkpoint-every", "-3"],
             "Error: The value '-3' is invalid for '--checkpoint-every <N|DURATION>'"),
            (transform + ["--threads", "-2"], "blocknmf: error: invalid --threads -2: must be at least 1"),
            (transform + ["--block-rows", "-2"], "blocknmf: error: invalid --block-rows -2: must be at least 1"),
            (["inverse-transform", model, "--model", model, "-o", scratch.file("out.h5"), "--memory", "-2"],
             "Error: The value '-2' is invalid for '--memory <memory>'"),
            (generate + ["--rows", "-1"], "blocknmf: error: invalid --rows -1: must be at least 1"),
            (generate + ["--cols", "-1"], "blocknmf: error: invalid --cols -1: must be at least 1"),
            (generate + ["--rank", "-1"], "blocknmf: error: invalid --rank -1: must be at least 1"),
            (generate + ["--noise", "-1"], "blocknmf: error: invalid --noise -1.0: must be a finite number ≥ 0"),
            (generate + ["--chunk-rows", "-1"], "blocknmf: error: invalid --chunk-rows -1: must be at least 1"),
            (generate + ["--density", "-0.5"], "blocknmf: error: invalid --density -0.5: must be in (0, 1]"),
            (generate + ["--type", "uint8", "--scale", "-2"],
             "blocknmf: error: invalid --scale -2.0: must be a finite number > 0"),
            (generate + ["--memory", "-1"], "blocknmf: error: invalid --memory -1: must be a size such as 64MiB, 512K or 1G"),
            (generate + ["--seed", "-1"], "Error: The value '-1' is invalid for '--seed <seed>'"),
            (["demo", "--directory", scratch.file("demo"), "--seed", "-1"],
             "Error: The value '-1' is invalid for '--seed <seed>'"),
            (["info", data, "--memory", "-1"], "Error: The value '-1' is invalid for '--memory <memory>'"),
        ]
        for (arguments, message) in cases {
            let result = try BlocknmfExecutable.run(arguments)
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.standardError)")
            XCTAssertEqual(result.standardError.split(separator: "\n").first.map(String.init), message, "\(arguments)")
            XCTAssertFalse(result.standardError.contains("Missing value"), "\(arguments)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))
    }

    /// `--inner-sweeps` belongs to `hals`: with any other solver (the default included) it is
    /// refused rather than ignored.
    func testInnerSweepsNeedHALS() throws {
        for (solver, name) in [([String](), "anls"), (["--solver", "cd"], "cd"), (["--solver", "mu"], "mu")] {
            let result = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "-k", "3", "--inner-sweeps", "3",
                                                     "-o", scratch.file("out.h5"), "--quiet"] + solver)
            XCTAssertEqual(result.status, 64, result.standardError)
            XCTAssertEqual(result.standardError.split(separator: "\n").first.map(String.init),
                           "Error: --inner-sweeps is used only with --solver hals (solver '\(name)' has no inner sweeps)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))
        let hals = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "-k", "3", "--solver", "hals",
                                               "--inner-sweeps", "3", "--max-iter", "3", "-o", scratch.file("out.h5"),
                                               "--quiet"])
        XCTAssertEqual(hals.status, 0, hals.standardError)
    }

    /// Counts of one take the singular: "1 iteration", "1 thread".
    func testCountsOfOneAreSingular() throws {
        let model = scratch.file("fit.h5")
        let fit = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--max-iter", "1", "--threads", "1",
                                              "-o", model, "--quiet"])
        XCTAssertEqual(fit.status, 0, fit.standardError)
        XCTAssertTrue(fit.standardOutput.contains(", 1 iteration, not converged"), fit.standardOutput)
        XCTAssertTrue(fit.standardOutput.contains(", 1 thread, W in memory)"), fit.standardOutput)
        let transform = try BlocknmfExecutable.run(["transform", data, "--dataset", "/X", "--model", model, "--threads", "1",
                                                    "-o", scratch.file("w.h5"), "--quiet"])
        XCTAssertEqual(transform.status, 0, transform.standardError)
        XCTAssertTrue(transform.standardOutput.contains(", 1 thread), peak memory"), transform.standardOutput)
        let two = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--max-iter", "2", "--tol", "0",
                                              "--threads", "2", "-o", scratch.file("two.h5"), "--quiet"])
        XCTAssertTrue(two.standardOutput.contains(", 2 iterations, ") && two.standardOutput.contains(", 2 threads, "),
                      two.standardOutput)
        XCTAssertFalse((fit.standardOutput + transform.standardOutput).contains(" 1 threads"))
    }

    /// 1000 rows in tiles of 256: 300 rows a read are made 256, 5000 are cut to the 4 tiles
    /// V holds; 512 are whole tiles already.
    func testBlockRowsAreReportedAsAsked() throws {
        let cases = [("300", "256-row blocks: --block-rows 300 in whole tiles, "),
                     ("512", "512-row blocks, "),
                     ("5000", "1024-row blocks: --block-rows 5000 cut to V's 1000 rows in whole tiles, ")]
        for (asked, shown) in cases {
            let result = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--max-iter", "2",
                                                     "--block-rows", asked, "-o", scratch.file("fit.h5"), "--quiet"])
            XCTAssertEqual(result.status, 0, result.standardError)
            XCTAssertTrue(result.standardOutput.contains("streamed (mapped, " + shown), result.standardOutput)
        }
        let json = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--max-iter", "2", "--block-rows", "300",
                                               "-o", scratch.file("fit.h5"), "--quiet", "--json"])
        let summary = try json.jsonSummary()
        let plan = summary["plan"] as? [String: Any]
        XCTAssertEqual(plan?["requestedBlockRows"] as? Int, 300, json.standardOutput)
        XCTAssertEqual(plan?["blockRows"] as? Int, 256, json.standardOutput)
    }

    /// The progress line shows the number the stopping rule compares with --tol. Proof: a
    /// tolerance 1 % above the number shown at iteration i stops the fit by iteration i, and
    /// one 1 % below does not stop it there.
    func testProgressShowsWhatTheStoppingRuleTests() throws {
        let cases: [(solver: String, iterations: Int, label: Regex<(Substring, Substring)>)] = [
            ("cd", 5, /violation\/initial (\S+) \(tol 1e-09\)/),
            ("hals", 5, /violation\/initial (\S+) \(tol 1e-09\)/),
            ("mu", 20, /decrease\/initial (\S+) at 20 \(tol 1e-09\)/),
        ]
        for (solver, iterations, label) in cases {
            let run = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--solver", solver, "--tol", "1e-9",
                                                  "--max-iter", "\(iterations)", "-o", scratch.file("fit.h5")])
            XCTAssertEqual(run.status, 0, run.standardError)
            let lines = run.standardError.split(separator: "\n")
            if solver == "mu" {
                XCTAssertTrue(lines.first?.contains("decrease/initial - (checked every 10 iterations)") == true,
                              run.standardError)
            }
            let last = try XCTUnwrap(lines.last, run.standardError)
            XCTAssertTrue(last.hasPrefix("iteration \(iterations)/\(iterations) ") && last.hasSuffix("done"), String(last))
            let shown = try XCTUnwrap(last.firstMatch(of: label).flatMap { Double($0.output.1) }, String(last))
            XCTAssertGreaterThan(shown, 0)
            for (factor, stopsByThen) in [(1.01, true), (0.99, false)] {
                let output = scratch.file("\(solver)-\(factor).h5")
                let fit = try BlocknmfExecutable.run(["factor", data, "--dataset", "/X", "--rank", "3", "--solver", solver,
                                                      "--tol", "\(shown * factor)", "--max-iter", "200", "-o", output,
                                                      "--quiet"])
                XCTAssertEqual(fit.status, 0, fit.standardError)
                let file = try HDF5File.openReadOnly(output)
                let stoppedAt = try Int(attributeText(file, "n_iter", of: "/")) ?? -1
                if stopsByThen {
                    XCTAssertLessThanOrEqual(stoppedAt, iterations, "\(solver): tol \(shown * factor)")
                    XCTAssertEqual(try attributeText(file, "converged", of: "/"), "1", solver)
                } else {
                    XCTAssertNotEqual(stoppedAt, iterations, "\(solver): tol \(shown * factor)")
                }
            }
        }
    }
}
