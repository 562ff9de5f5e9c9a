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
}
