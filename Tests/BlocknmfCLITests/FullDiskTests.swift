import Foundation
import HDF5Store
import TestSupport
import XCTest

/// A disk too small for what a run writes: the run fails before the work when it can know
/// (free space against the result, the scratch file and the checkpoint), with one line and
/// status 74; a disk that fills during the run leaves the last good checkpoint.
final class FullDiskTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    private func generate(_ name: String, rows: Int, columns: Int, rank: Int) throws -> String {
        let path = scratch.file(name)
        let generated = try BlocknmfExecutable.run(["generate", path, "--rows", "\(rows)", "--cols", "\(columns)",
                                                    "--rank", "\(rank)", "--noise", "0.1", "--seed", "3", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        return path
    }

    /// The size the message gives after "needs about", in bytes.
    private func statedNeed(_ message: String) throws -> Double {
        let match = try XCTUnwrap(message.firstMatch(of: /needs about ([0-9.]+) (KiB|MiB|GiB)/), message)
        let scale: Double = ["KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824][String(match.2)]!
        return try XCTUnwrap(Double(match.1)) * scale
    }

    /// W alone (200 000 × 8 float32, 6.1 MiB) exceeds a 2 MiB tmpfs: a fit of a thousand
    /// iterations fails before its first pass.
    func testAFullOutputDirectoryFailsBeforeTheWork() throws {
        let (rows, columns, rank) = (200_000, 50, 8)
        let input = try generate("v.h5", rows: rows, columns: columns, rank: rank)
        let disk = try SmallFileSystem(size: 2 << 20)
        let output = disk.file("out.h5")
        let start = Date()
        let result = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "\(rank)",
                                                 "--output", output, "--max-iter", "1000", "--tol", "0", "--quiet"])
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(result.status, 74, result.standardError)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardError)
        let message = String(lines.first ?? "")
        XCTAssertTrue(message.hasPrefix("blocknmf: error: no space left on device writing \(output): the result needs about"),
                      message)
        XCTAssertGreaterThanOrEqual(try statedNeed(message), Double(rows * rank * 4), "at least W's bytes")
        XCTAssertLessThan(seconds, 5, "failed before the work")
        XCTAssertEqual(disk.contents, [], "nothing left on the full disk")
    }

    /// The output's disk has room when the run starts and fills before the result is written:
    /// one line naming the result and its size, and no partial file.
    func testADiskThatFillsBeforeTheResultIsWrittenLeavesNoPartialFile() throws {
        let (rows, rank) = (20_000, 6)
        let input = try generate("v.h5", rows: rows, columns: 60, rank: rank)
        let disk = try SmallFileSystem(size: 2 << 20)
        let output = disk.file("out.h5")
        let run = try RunningCommand(["factor", input, "--dataset", "/X", "--rank", "\(rank)", "--output", output,
                                      "--max-iter", "5", "--tol", "0", "--quiet"],
                                     environment: ["BLOCKNMF_CRASH_AT": "pass-end:2:STOP"])
        XCTAssertTrue(run.waitUntilStopped(), run.finish(killing: true).standardError)
        disk.fill("filler")
        let failed = run.continueToTheEnd()
        XCTAssertEqual(failed.status, 74, failed.standardError)
        let lines = failed.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, failed.standardError)
        let message = String(lines.first ?? "")
        XCTAssertTrue(message.hasPrefix("blocknmf: error: no space left on device writing \(output): the result needs about"),
                      message)
        XCTAssertGreaterThanOrEqual(try statedNeed(message), Double(rows * rank * 4), "at least W's bytes")
        XCTAssertEqual(disk.contents, ["filler"], "no partial result")
    }

    /// The checkpoint directory's disk fills between two checkpoints: the next state file
    /// cannot be written; the run stops with one line, the failed write leaves nothing, and
    /// the checkpoint before it resumes to the uninterrupted run's W and H.
    func testACheckpointDiskThatFillsKeepsTheLastGoodCheckpoint() throws {
        let input = try generate("v.h5", rows: 2000, columns: 120, rank: 6)
        let disk = try SmallFileSystem(size: 1 << 20)
        let directory = disk.file("fit.ckpt")
        let arguments = ["factor", input, "--dataset", "/X", "--rank", "6", "--max-iter", "12", "--tol", "0",
                         "--output", scratch.file("fit.h5"), "--checkpoint", directory, "--checkpoint-every", "1",
                         "--quiet"]
        let reference = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "6", "--max-iter",
                                                    "12", "--tol", "0", "--output", scratch.file("reference.h5"),
                                                    "--quiet"])
        XCTAssertEqual(reference.status, 0, reference.standardError)

        // Stopped after its third pass: checkpoints of iterations 1 and 2 are in place (the
        // oldest one pruned, whose space would otherwise take the next one).
        let run = try RunningCommand(arguments, environment: ["BLOCKNMF_CRASH_AT": "pass-end:3:STOP"])
        XCTAssertTrue(run.waitUntilStopped(), run.finish(killing: true).standardError)
        disk.fill("filler")
        let failed = run.continueToTheEnd()
        XCTAssertEqual(failed.status, 74, failed.standardError)
        let lines = failed.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, failed.standardError)
        XCTAssertTrue(lines.first?.hasPrefix("blocknmf: error: no space left on device writing \(directory)") ?? false,
                      failed.standardError)
        XCTAssertTrue(lines.first?.contains(": the checkpoint needs about ") ?? false,
                      "names what needed the space: \(failed.standardError)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("fit.h5")))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertEqual(left.filter { $0.hasPrefix("state-") }, ["state-00000002", "state-00000003"], "\(left)")
        XCTAssertTrue(left.contains("W.0") && left.contains("W.1"), "\(left)")
        XCTAssertFalse(left.contains { $0.contains("partial") }, "the failed write's file is gone: \(left)")

        XCTAssertEqual(unlink(disk.file("filler")), 0)
        let resumed = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        let (result, expected) = (try HDF5File.openReadOnly(scratch.file("fit.h5")),
                                  try HDF5File.openReadOnly(scratch.file("reference.h5")))
        XCTAssertEqual(try result.readMatrix(dataset: "/W", as: Float.self).elements,
                       try expected.readMatrix(dataset: "/W", as: Float.self).elements)
        XCTAssertEqual(try result.readMatrix(dataset: "/H", as: Float.self).elements,
                       try expected.readMatrix(dataset: "/H", as: Float.self).elements)
    }

    /// The first checkpoint cannot be completed (the disk is full once W's buffers are
    /// written): what the run wrote there goes, and so does the directory it made.
    func testACheckpointThatCannotBeStartedLeavesNothing() throws {
        let input = try generate("v.h5", rows: 2000, columns: 120, rank: 6)
        let disk = try SmallFileSystem(size: 1 << 20)
        let directory = disk.file("fit.ckpt")
        let run = try RunningCommand(["factor", input, "--dataset", "/X", "--rank", "6", "--max-iter", "12",
                                      "--output", scratch.file("fit.h5"), "--checkpoint", directory, "--quiet"],
                                     environment: ["BLOCKNMF_CRASH_AT": "buffers-flushed:1:STOP"])
        XCTAssertTrue(run.waitUntilStopped(), run.finish(killing: true).standardError)
        disk.fill("filler")
        let failed = run.continueToTheEnd()
        XCTAssertEqual(failed.status, 74, failed.standardError)
        XCTAssertEqual(failed.standardError.split(separator: "\n").count, 1, failed.standardError)
        XCTAssertEqual(disk.contents, ["filler"])
        XCTAssertEqual(scratch.contents.sorted(), ["v.h5"])
    }
}
