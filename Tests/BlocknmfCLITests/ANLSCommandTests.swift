import Foundation
import HDF5Store
import TestSupport
import XCTest

/// `factor --solver anls` and `transform` with its model, through the built tool.
final class ANLSCommandTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var input: String { scratch.file("v.h5") }

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", input, "--rows", "1500", "--cols", "60", "--rank", "4",
                                                    "--noise", "0.1", "--seed", "9", "--chunk-rows", "100",
                                                    "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
    }

    override func tearDown() { scratch = nil }

    private func factor(_ output: String, _ extra: [String]) throws {
        let run = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "4", "--solver", "anls",
                                              "--max-iter", "15", "--tol", "0", "--precision", "float64",
                                              "--output", output, "--quiet"] + extra)
        XCTAssertEqual(run.status, 0, run.standardError)
    }

    private func matrix(_ path: String, _ dataset: String) throws -> [Double] {
        try HDF5File.openReadOnly(path).readMatrix(dataset: dataset, as: Double.self).elements
    }

    /// V resident or streamed in small blocks under a small budget, 1, 2 or 4 threads: the
    /// same W and H, bit for bit; the solver is written to the result and read back by
    /// `transform`, which stops after its one exact pass.
    func testStreamedAndResidentRunsAgreeBitForBitAndTransformReadsTheModel() throws {
        let resident = scratch.file("resident.h5")
        try factor(resident, ["--threads", "1"])
        XCTAssertEqual(try HDF5File.openReadOnly(resident).attribute("solver"), .string("anls"))
        for (name, extra) in [("streamed", ["--block-rows", "256", "--memory", "2MiB", "--threads", "2"]),
                              ("four threads", ["--threads", "4"])] {
            let other = scratch.file("other.h5")
            try factor(other, extra)
            XCTAssertEqual(try matrix(other, "/W"), try matrix(resident, "/W"), name)
            XCTAssertEqual(try matrix(other, "/H"), try matrix(resident, "/H"), name)
            try FileManager.default.removeItem(atPath: other)
        }
        let transformed = scratch.file("transformed.h5")
        let run = try BlocknmfExecutable.run(["transform", input, "--dataset", "/X", "--model", resident,
                                              "--precision", "float64", "--output", transformed, "--quiet"])
        XCTAssertEqual(run.status, 0, run.standardError)
        let file = try HDF5File.openReadOnly(transformed)
        XCTAssertEqual(try file.attribute("n_iter"), .integer(1))
        XCTAssertEqual(try file.attribute("solver"), .string("anls"))
    }

    /// `--init sample`, streamed under a small budget: the same W and H as resident, bit for bit.
    /// V is read once by the validating scan, a sample of rows once, and once per iteration —
    /// no pass for the final error, which the last pass's sums give: it equals the residual of
    /// the factors written, computed here.
    func testSampleStartReadsAFractionOfAPassAndTheFinalErrorTakesNoPass() throws {
        func run(_ output: String, _ extra: [String]) throws -> [String: Any] {
            let run = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "4", "--solver", "anls",
                                                  "--init", "sample", "--max-iter", "3", "--tol", "0",
                                                  "--precision", "float64", "--output", output, "--json"] + extra)
            XCTAssertEqual(run.status, 0, run.standardError)
            return try run.jsonSummary()
        }
        let resident = scratch.file("resident.h5"), streamed = scratch.file("streamed.h5")
        _ = try run(resident, [])
        let summary = try run(streamed, ["--block-rows", "256", "--memory", "2MiB"])
        XCTAssertEqual(try matrix(streamed, "/W"), try matrix(resident, "/W"))
        XCTAssertEqual(try matrix(streamed, "/H"), try matrix(resident, "/H"))

        let (m, n) = (1500, 60)
        let rowBytes = n * MemoryLayout<Double>.stride
        let bytesRead = try XCTUnwrap(summary["bytesRead"] as? Int)
        let sampleBytes = bytesRead - (1 + 3) * m * rowBytes
        XCTAssertEqual(sampleBytes % rowBytes, 0, "bytes read: \(bytesRead)")
        XCTAssertGreaterThanOrEqual(sampleBytes / rowBytes, 256, "the sample is at least a tile")
        XCTAssertLessThanOrEqual(sampleBytes / rowBytes, m / 2, "the sample is a fraction of a pass")

        let v = try matrix(input, "/X"), w = try matrix(streamed, "/W"), h = try matrix(streamed, "/H")
        var squaredResidual = 0.0, squaredNorm = 0.0
        for i in 0..<m {
            for j in 0..<n {
                let estimate = (0..<4).reduce(0.0) { $0 + w[i * 4 + $1] * h[$1 * n + j] }
                squaredResidual += (v[i * n + j] - estimate) * (v[i * n + j] - estimate)
                squaredNorm += v[i * n + j] * v[i * n + j]
            }
        }
        let expected = (squaredResidual / squaredNorm).squareRoot()
        let relativeError = try XCTUnwrap(summary["relativeError"] as? Double)
        XCTAssertEqual(relativeError, expected, accuracy: 1e-9 * expected)
    }

    /// A sample that does not fit in half the budget is refused before V is read, in one line.
    func testSampleLargerThanHalfTheBudgetIsRefused() throws {
        let run = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "4", "--solver", "anls",
                                              "--init", "sample", "--memory", "300KiB",
                                              "--output", scratch.file("refused.h5")])
        XCTAssertEqual(run.status, 64, run.standardError)
        XCTAssertEqual(run.standardError.split(separator: "\n").count, 1, run.standardError)
        XCTAssertTrue(run.standardError.contains("init 'sample' fits 512 rows of V in memory"), run.standardError)
        XCTAssertTrue(run.standardError.contains("more than half of --memory 300 KiB"), run.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("refused.h5")))
    }

    /// `--solver anls` without `--init` starts from the sample; when the sample does not fit in
    /// half the budget, from `random` instead of refusing (no start was asked for).
    func testAnlsStartsFromTheSampleByDefaultAndFromRandomWhenItDoesNotFit() throws {
        for (memory, expected) in [("64MiB", "sample"), ("700KiB", "random")] {
            let output = scratch.file("default-\(memory).h5")
            try factor(output, ["--memory", memory])
            XCTAssertEqual(try HDF5File.openReadOnly(output).attribute("init"), .string(expected), memory)
        }
    }

    /// More components than the data's rank (10 on a rank-5 matrix with noise 0.01): the float32
    /// Grams are singular to their rounding, where the pivoting once refused rows ("did not
    /// converge"); every row is solved and the fit ends.
    func testMoreComponentsThanTheDataRankAreSolved() throws {
        let path = scratch.file("rank5.h5")
        let generated = try BlocknmfExecutable.run(["generate", path, "--rows", "4000", "--cols", "1000", "--rank", "5",
                                                    "--noise", "0.01", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        let run = try BlocknmfExecutable.run(["factor", path, "--dataset", "/X", "--rank", "10", "--solver", "anls",
                                              "--init", "random", "--max-iter", "3", "--json", "--quiet",
                                              "--output", scratch.file("rank10.h5")])
        XCTAssertEqual(run.status, 0, run.standardError)
        let summary = try run.jsonSummary()
        XCTAssertLessThan(try XCTUnwrap(summary["relativeError"] as? Double), 0.05)
    }

    func testHelpNamesTheSolver() throws {
        let help = try BlocknmfExecutable.run(["factor", "--help"])
        XCTAssertTrue(help.standardOutput.contains("anls"), help.standardOutput)
    }
}
