import Foundation
import HDF5Store
import TestSupport
import XCTest

/// `factor` on data larger than its memory budget.
final class StreamingCommandTests: XCTestCase {
    private func generate(_ path: String, rows: Int, columns: Int, chunkRows: Int? = nil,
                          compression: String = "none") throws {
        var arguments = ["generate", path, "--rows", "\(rows)", "--cols", "\(columns)", "--rank", "5",
                         "--noise", "0.01", "--compression", compression, "--quiet"]
        if let chunkRows { arguments += ["--chunk-rows", "\(chunkRows)"] }
        let result = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(result.status, 0, result.standardError)
    }

    /// 96 MB of float32 under a 16 MiB budget: peak memory stays under the budget
    /// plus W, H and 64 MiB for the program itself.
    func testPeakMemoryFollowsTheBudgetNotTheData() throws {
        let scratch = try ScratchDirectory()
        let rows = 24_000, columns = 1000, rank = 10
        try generate(scratch.file("v.h5"), rows: rows, columns: columns, chunkRows: 500)
        let budget = 16 << 20
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "\(rank)", "--output", scratch.file("out.h5"),
            "--memory", "16MiB", "--init", "random", "--max-iter", "3", "--quiet", "--json",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let summary = try result.jsonSummary()
        XCTAssertEqual((summary["plan"] as? [String: Any])?["mode"] as? String, "streamed")
        let peak = summary["peakResidentBytes"] as? Int ?? .max
        let factors = (rows * rank + rank * columns) * 4
        XCTAssertLessThanOrEqual(peak, budget + factors + (64 << 20), "peak \(peak) bytes")
        XCTAssertGreaterThanOrEqual(rows * columns * 4, 5 * budget, "the data is several times the budget")
    }

    /// Linux carries a spawning process's peak into the child's `ru_maxrss`; the figure
    /// reported must be the tool's own, whatever the size of the program that started it.
    func testPeakMemoryIsTheToolsOwnNotItsParents() throws {
        let scratch = try ScratchDirectory()
        try generate(scratch.file("v.h5"), rows: 2000, columns: 100)
        let parentBytes = 400 << 20
        let ballast = UnsafeMutableRawBufferPointer.allocate(byteCount: parentBytes, alignment: 4096)
        defer { ballast.deallocate() }
        for page in stride(from: 0, to: parentBytes, by: 4096) { ballast[page] = 1 }
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "3", "--output", scratch.file("out.h5"),
            "--max-iter", "2", "--quiet", "--json",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let peak = try result.jsonSummary()["peakResidentBytes"] as? Int ?? .max
        XCTAssertLessThan(peak, parentBytes / 2, "peak \(peak) bytes")
    }

    func testThreadCountDoesNotChangeTheResult() throws {
        let scratch = try ScratchDirectory()
        try generate(scratch.file("v.h5"), rows: 3000, columns: 200, chunkRows: 300)
        var factors: [[Float]] = []
        for threads in [1, 2, 4] {
            let output = scratch.file("out-\(threads).h5")
            let result = try BlocknmfExecutable.run([
                "factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "5", "--output", output,
                "--memory", "2MiB", "--threads", "\(threads)", "--max-iter", "20", "--quiet",
            ])
            XCTAssertEqual(result.status, 0, result.standardError)
            let file = try HDF5File.openReadOnly(output)
            factors.append(try file.readMatrix(dataset: "/W", as: Float.self).elements
                           + file.readMatrix(dataset: "/H", as: Float.self).elements)
        }
        XCTAssertEqual(factors[0], factors[1])
        XCTAssertEqual(factors[0], factors[2])
    }

    func testNaNDeepInTheLastBlockLeavesNoOutput() throws {
        let scratch = try ScratchDirectory()
        let rows = 3000, columns = 100
        var values = (0..<(rows * columns)).map { Float($0 % 13) + 0.5 }
        values[2990 * columns + 17] = .nan
        let file = try HDF5File.create(scratch.file("v.h5"))
        try file.write(dataset: "/X", shape: [rows, columns], elements: values, chunkRows: 100)
        try file.close()
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("v.h5"), "--rank", "3", "--output", scratch.file("out.h5"),
            "--memory", "1MiB", "--quiet",
        ])
        XCTAssertEqual(result.status, 65, result.standardError)
        XCTAssertTrue(result.standardError.contains("row 2990, column 17"), result.standardError)
        XCTAssertEqual(scratch.contents, ["v.h5"])
    }

    /// Compressed chunks must be decompressed whole into the chunk cache, which the budget holds.
    func testChunksTallerThanTheBudgetAllowsAreExplained() throws {
        let scratch = try ScratchDirectory()
        try generate(scratch.file("v.h5"), rows: 20_000, columns: 500, chunkRows: 10_000, compression: "gzip:1")
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "3", "--output", scratch.file("out.h5"),
            "--memory", "8MiB", "--quiet",
        ])
        XCTAssertEqual(result.status, 64, result.standardError)
        XCTAssertTrue(result.standardError.contains("chunks span 10000 rows"), result.standardError)
        XCTAssertTrue(result.standardError.contains("try --memory"), result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1)
        XCTAssertEqual(scratch.contents, ["v.h5"])
    }
}
