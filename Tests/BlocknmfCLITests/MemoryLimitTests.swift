import Foundation
import TestSupport
import XCTest

/// A rank whose factors and products cannot fit the machine is refused before any work, in
/// one line that says how much memory it needs: no allocation of tens of gigabytes, no crash.
final class MemoryLimitTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", scratch.file("v.h5"), "--rows", "2000", "--cols", "300",
                                                    "--rank", "5", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
    }

    override func tearDown() { scratch = nil }

    private func factor(rank: String, _ extra: [String] = []) throws -> (status: Int32, message: String) {
        let output = scratch.file("out.h5")
        let result = try BlocknmfExecutable.run(["factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", rank,
                                                 "--output", output, "--quiet"] + extra)
        XCTAssertEqual(result.standardOutput, "")
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.standardError)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        XCTAssertEqual(scratch.contents, ["v.h5"], "no partial output")
        return (result.status, String(lines.first ?? ""))
    }

    /// H·Hᵀ alone is 100 000² float32 (37.3 GiB); the run needs several such k×k matrices.
    func testAHugeRankSaysHowMuchMemoryItNeeds() throws {
        let gramBytes = 100_000.0 * 100_000.0 * 4
        let physical = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        XCTAssertGreaterThan(gramBytes, physical, "the test needs a machine with less than 37 GiB")
        let (status, message) = try factor(rank: "100000")
        XCTAssertEqual(status, 65, message)
        let match = try XCTUnwrap(message.firstMatch(of: /rank 100000 needs about ([0-9.]+) (GiB|TiB) of memory/), message)
        let needed = try XCTUnwrap(Double(match.1)) * (match.2 == "TiB" ? 1_099_511_627_776 : 1_073_741_824)
        XCTAssertGreaterThan(needed, gramBytes, message)
        XCTAssertTrue(message.contains("this machine has"), message)
        XCTAssertFalse(message.contains("Backtrac") || message.contains("crash"), message)
    }

    func testARankWhoseFactorsCannotBeAddressedIsRefused() throws {
        let (status, message) = try factor(rank: "\(Int.max / 4)")
        XCTAssertEqual(status, 65, message)
        XCTAssertTrue(message.contains("more elements than memory can address"), message)
    }

    /// The randomized SVD of the NNDSVD family (three 2000×(k+10) and two 300×(k+10) float32
    /// matrices at k = 20: 792 000 bytes) must fit in half the budget, and V's blocks get what
    /// it leaves: the budget bounds both.
    func testNNDSVDsSVDComesOutOfTheBudget() throws {
        let svdBytes = (3 * 2000 + 2 * 300) * (20 + 10) * 4
        let (status, message) = try factor(rank: "20", ["--init", "nndsvda", "--memory", "1MiB"])
        XCTAssertEqual(status, 64, message)
        XCTAssertTrue(message.contains("init 'nndsvda' computes a randomized SVD of V that holds 773.4 KiB"), message)
        XCTAssertTrue(message.contains("more than half of --memory 1 MiB; use --memory 2MiB"), message)

        func plannedBlockRows(_ initialization: String) throws -> Int {
            let run = try BlocknmfExecutable.run(["factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "20",
                                                  "--init", initialization, "--memory", "4MiB", "--max-iter", "1",
                                                  "--json", "--output", scratch.file("\(initialization).h5")])
            XCTAssertEqual(run.status, 0, run.standardError)
            let plan = try XCTUnwrap(try run.jsonSummary()["plan"] as? [String: Any])
            XCTAssertEqual(plan["mode"] as? String, "streamed")
            return try XCTUnwrap(plan["blockRows"] as? Int)
        }
        let budget = 4 << 20, buffersPerRow = 4 * 300 * 4
        let withSVD = try plannedBlockRows("nndsvda"), without = try plannedBlockRows("random")
        XCTAssertEqual(withSVD, (budget - svdBytes) / buffersPerRow / 256 * 256, "whole tiles, as many as fit")
        XCTAssertEqual(without, budget / buffersPerRow / 256 * 256)
    }

    /// A budget that holds the SVD but leaves too little for V's blocks names the user's
    /// budget and the SVD, and asks for both: 256 rows of 4 buffers of 150 float32 columns plus
    /// their gzip chunks' cache (1 008 000 bytes), and the SVD's (3·2000 + 2·150)·16·4 bytes.
    func testABudgetTheSVDLeavesTooLittleOfSaysSo() throws {
        let input = scratch.file("gz.h5")
        let generated = try BlocknmfExecutable.run(["generate", input, "--rows", "2000", "--cols", "150", "--rank", "6",
                                                    "--chunk-rows", "200", "--compression", "gzip:4", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        let arguments = ["factor", input, "--dataset", "/X", "--rank", "6", "--solver", "cd", "--max-iter", "2",
                         "--output", scratch.file("gz-fit.h5")]
        let refused = try BlocknmfExecutable.run(arguments + ["--memory", "1MiB"])
        XCTAssertEqual(refused.status, 64, refused.standardError)
        XCTAssertEqual(refused.standardError.split(separator: "\n").count, 1, refused.standardError)
        XCTAssertTrue(refused.standardError.contains("--memory 1 MiB is too small for"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("beside the 393.8 KiB of NNDSVD's randomized SVD"),
                      refused.standardError)
        XCTAssertTrue(refused.standardError.contains("it needs at least 1.3 MiB (try --memory 2MiB)"),
                      refused.standardError)
        let fitted = try BlocknmfExecutable.run(arguments + ["--memory", "2MiB", "--quiet"])
        XCTAssertEqual(fitted.status, 0, fitted.standardError)
    }
}
