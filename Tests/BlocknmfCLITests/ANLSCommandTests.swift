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

    func testHelpNamesTheSolver() throws {
        let help = try BlocknmfExecutable.run(["factor", "--help"])
        XCTAssertTrue(help.standardOutput.contains("anls"), help.standardOutput)
    }
}
