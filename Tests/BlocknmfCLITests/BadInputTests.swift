import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Every kind of bad input: one line on stderr naming the problem, a non-zero
/// exit status, and no output file (nor a temporary one) left behind.
final class BadInputTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let file = try HDF5File.create(scratch.file("data.h5"))
        var good = (0..<(12 * 8)).map { Double($0 % 5) + 0.5 }
        try file.write(dataset: "/X", shape: [12, 8], elements: good)
        try file.write(dataset: "/group/Y", shape: [12, 8], elements: good.map(Float.init))
        try file.write(dataset: "/vector", shape: [12], elements: [Double](repeating: 1, count: 12))
        try file.write(dataset: "/names", shape: [2, 2], strings: ["a", "b", "c", "d"])
        good[7 * 8 + 5] = -2
        try file.write(dataset: "/negative", shape: [12, 8], elements: good)
        good[7 * 8 + 5] = .nan
        try file.write(dataset: "/nan", shape: [12, 8], elements: good)
        good[7 * 8 + 5] = .infinity
        try file.write(dataset: "/infinite", shape: [12, 8], elements: good)
        try file.write(dataset: "/W_negative", shape: [12, 2], elements: [Double](repeating: -1, count: 24))
        try file.write(dataset: "/H_wrong", shape: [3, 8], elements: [Double](repeating: 1, count: 24))
        try file.write(dataset: "/H_good", shape: [2, 8], elements: [Double](repeating: 1, count: 16))
        try file.write(dataset: "/W_good", shape: [12, 2], elements: [Double](repeating: 1, count: 24))
        try file.close()
        try "not an HDF5 file\n".write(toFile: scratch.file("text.h5"), atomically: true, encoding: .utf8)
    }

    override func tearDown() { scratch = nil }

    /// Runs `factor` expecting failure; returns the single stderr line.
    private func failure(_ arguments: [String], input: String = "data.h5", status: Int32,
                         file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let output = scratch.file("out.h5")
        let result = try BlocknmfExecutable.run(["factor", scratch.file(input), "--output", output, "--quiet"]
                                                + arguments)
        XCTAssertEqual(result.status, status, result.standardError, file: file, line: line)
        XCTAssertEqual(result.standardOutput, "", file: file, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "expected one line: \(result.standardError)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "output left behind", file: file, line: line)
        XCTAssertFalse(scratch.contents.contains { $0.contains("partial") }, "temporary file left behind",
                       file: file, line: line)
        return String(lines.first ?? "")
    }

    func testMissingFile() throws {
        let message = try failure(["--rank", "2"], input: "absent.h5", status: 66)
        XCTAssertTrue(message.contains("absent.h5") && message.contains("does not exist"), message)
    }

    func testNotHDF5() throws {
        let message = try failure(["--rank", "2"], input: "text.h5", status: 66)
        XCTAssertTrue(message.contains("not an HDF5 file"), message)
    }

    func testMissingDatasetListsTheMatricesPresent() throws {
        let message = try failure(["--rank", "2", "--dataset", "/Z"], status: 66)
        XCTAssertTrue(message.contains("'/Z' not found"), message)
        XCTAssertTrue(message.contains("/X") && message.contains("/group/Y"), message)
    }

    func testAmbiguousDatasetWhenNoneIsNamed() throws {
        let message = try failure(["--rank", "2"], status: 66)
        XCTAssertTrue(message.contains("/X") && message.contains("/group/Y"), message)
    }

    func testNotTwoDimensional() throws {
        let message = try failure(["--rank", "2", "--dataset", "/vector"], status: 65)
        XCTAssertTrue(message.contains("rank 1") && message.contains("2-D"), message)
    }

    func testNonNumericType() throws {
        let message = try failure(["--rank", "2", "--dataset", "/names"], status: 65)
        XCTAssertTrue(message.contains("string"), message)
    }

    func testNegativeValueGivesRowAndColumn() throws {
        let message = try failure(["--rank", "2", "--dataset", "/negative"], status: 65)
        XCTAssertTrue(message.contains("negative value -2") && message.contains("row 7, column 5"), message)
    }

    func testNaNAndInfinityGiveRowAndColumn() throws {
        for dataset in ["/nan", "/infinite"] {
            let message = try failure(["--rank", "2", "--dataset", dataset], status: 65)
            XCTAssertTrue(message.contains("row 7, column 5") && message.contains("finite"), message)
        }
    }

    func testRankBelowOne() throws {
        let message = try failure(["--rank", "0", "--dataset", "/X"], status: 64)
        XCTAssertTrue(message.contains("--rank 0"), message)
    }

    func testRankTooLargeForTheInit() throws {
        let message = try failure(["--rank", "9", "--dataset", "/X", "--init", "nndsvd"], status: 65)
        XCTAssertTrue(message.contains("rank 9") && message.contains("min(rows, columns) = 8"), message)
    }

    func testCustomInitOfTheWrongShape() throws {
        let message = try failure(["--rank", "2", "--dataset", "/X", "--init", "custom",
                                   "--init-w", scratch.file("data.h5") + ":/W_good",
                                   "--init-h", scratch.file("data.h5") + ":/H_wrong"], status: 65)
        XCTAssertTrue(message.contains("H has shape 3×8, expected 2×8"), message)
    }

    func testCustomInitWithNegatives() throws {
        let message = try failure(["--rank", "2", "--dataset", "/X",
                                   "--init-w", scratch.file("data.h5") + ":/W_negative",
                                   "--init-h", scratch.file("data.h5") + ":/H_good"], status: 65)
        XCTAssertTrue(message.contains("W has a negative value"), message)
    }

    func testOutputDirectoryNotWritable() throws {
        let result = try BlocknmfExecutable.run(["factor", scratch.file("data.h5"), "--dataset", "/X",
                                                 "--rank", "2", "--output", "/proc/blocknmf-out.h5"])
        XCTAssertEqual(result.status, 73, result.standardError)
        XCTAssertTrue(result.standardError.contains("cannot create"), result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1)
        let missing = try BlocknmfExecutable.run(["factor", scratch.file("data.h5"), "--dataset", "/X",
                                                  "--rank", "2", "--output", scratch.file("no/such/out.h5")])
        XCTAssertEqual(missing.status, 73, missing.standardError)
    }

    func testOutputMayNotReplaceTheInput() throws {
        let result = try BlocknmfExecutable.run(["factor", scratch.file("data.h5"), "--dataset", "/X",
                                                 "--rank", "2", "--output", scratch.file("data.h5")])
        XCTAssertEqual(result.status, 73)
        XCTAssertTrue(result.standardError.contains("is the input file"), result.standardError)
        XCTAssertNoThrow(try HDF5File.openReadOnly(scratch.file("data.h5")).readMatrix(dataset: "/X", as: Double.self))
    }
}
