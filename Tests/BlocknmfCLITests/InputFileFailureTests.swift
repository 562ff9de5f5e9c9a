import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Inputs another program holds, left unclosed, cut short or damaged, or truncates while a
/// run streams them: one line naming the file and the cause, a sysexits status, and no output.
final class InputFileFailureTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    private func writeSmallInput(_ name: String) throws -> String {
        let path = scratch.file(name)
        let file = try HDF5File.create(path)
        try file.write(dataset: "/X", shape: [300, 40], elements: (0..<12_000).map { Float($0 % 17) + 1 })
        try file.close()
        return path
    }

    /// Runs `factor` on `input`, expecting one line on stderr, no output file and `status`.
    private func failure(_ input: String, status: Int32, _ extra: [String] = [],
                         line: UInt = #line) throws -> String {
        let output = scratch.file("out.h5")
        let result = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "3", "--output", output,
                                                 "--quiet"] + extra)
        XCTAssertEqual(result.status, status, result.standardError, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.standardError)", line: line)
        XCTAssertFalse(scratch.contents.contains { $0.hasPrefix("out.h5") || $0.hasPrefix(".out.h5") },
                       "no output left: \(scratch.contents)", line: line)
        return String(lines.first ?? "")
    }

    private func python(_ script: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        return process
    }

    func testAFileHeldOpenByAWriterIsNamed() throws {
        let input = try writeSmallInput("v.h5")
        let writer = try python("""
            import sys, h5py
            f = h5py.File(sys.argv[1], "a")
            print("open", flush=True)
            sys.stdin.read()
            f.close()
            """, [input])
        let (toWriter, fromWriter) = (Pipe(), Pipe())
        writer.standardInput = toWriter
        writer.standardOutput = fromWriter
        try writer.run()
        defer {
            try? toWriter.fileHandleForWriting.close()
            writer.waitUntilExit()
        }
        let ready = String(decoding: fromWriter.fileHandleForReading.availableData, as: UTF8.self)
        XCTAssertTrue(ready.hasPrefix("open"), "h5py holds the file: \(ready)")
        let message = try failure(input, status: 66)
        XCTAssertEqual(message, "blocknmf: error: \(input) is open for writing by another program "
                       + "(or was not closed by it: h5clear -s \(input))")
    }

    /// A writer killed with libver="latest" leaves the superblock's status flags set.
    func testAFileAWriterNeverClosedGetsTheH5clearHint() throws {
        let input = scratch.file("unclosed.h5")
        let writer = try python("""
            import os, sys, h5py, numpy
            f = h5py.File(sys.argv[1], "w", libver="latest")
            f["X"] = numpy.ones((300, 40), "f4")
            f.flush()
            os._exit(0)
            """, [input])
        try writer.run()
        writer.waitUntilExit()
        XCTAssertEqual(writer.terminationStatus, 0)
        let message = try failure(input, status: 66)
        XCTAssertEqual(message, "blocknmf: error: \(input) is open for writing by another program "
                       + "(or was not closed by it: h5clear -s \(input))")
    }

    func testACutShortFileIsTruncatedAndADamagedOneDamaged() throws {
        let cut = try writeSmallInput("cut.h5")
        let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: cut)[.size] as? Int)
        XCTAssertEqual(truncate(cut, off_t(size / 2)), 0)
        let truncated = try failure(cut, status: 65)
        XCTAssertTrue(truncated.hasPrefix("blocknmf: error: \(cut) is truncated (it holds \(size / 2) bytes of the \(size)"),
                      truncated)

        let damaged = try writeSmallInput("damaged.h5")
        let descriptor = open(damaged, O_WRONLY)
        let garbage = [UInt8](repeating: 0xFF, count: 1200)
        XCTAssertEqual(pwrite(descriptor, garbage, garbage.count, 800), garbage.count)
        close(descriptor)
        let message = try failure(damaged, status: 65)
        XCTAssertTrue(message.hasPrefix("blocknmf: error: \(damaged) is damaged: HDF5 reports "), message)
    }

    /// A float32 input worked in float32 is mapped; with a budget of 8 MiB it streams in
    /// blocks of 2048 rows, 64 tiles per pass. The run stops itself in its second pass,
    /// the input is cut to 64 KiB under the blocks it holds, and the run goes on.
    private func truncatedDuringTheRun(checkpoint: String?) throws -> (CommandResult, before: [String: Data]) {
        let input = scratch.file("v.h5")
        let generated = try BlocknmfExecutable.run(["generate", input, "--rows", "16384", "--cols", "256", "--rank", "5",
                                                    "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        let run = try RunningCommand(
            ["factor", input, "--dataset", "/X", "--rank", "5", "--output", scratch.file("out.h5"), "--memory", "8MiB",
             "--max-iter", "50", "--tol", "0", "--init", "random", "--quiet"]
                + (checkpoint.map { ["--checkpoint", $0, "--checkpoint-every", "1"] } ?? []),
            environment: ["BLOCKNMF_CRASH_AT": "mid-pass:74:STOP"])
        XCTAssertTrue(run.waitUntilStopped(), run.finish(killing: true).standardError)
        var before: [String: Data] = [:]
        if let checkpoint {
            for name in try FileManager.default.contentsOfDirectory(atPath: checkpoint) {
                before[name] = FileManager.default.contents(atPath: "\(checkpoint)/\(name)")
            }
        }
        XCTAssertEqual(truncate(input, 1 << 16), 0)
        return (run.continueToTheEnd(), before)
    }

    private func assertOneLineAboutTheTruncation(_ result: CommandResult, line: UInt = #line) {
        XCTAssertEqual(result.status, 74, result.standardError, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardError, line: line)
        XCTAssertTrue(lines.first?.hasPrefix("blocknmf: error: \(scratch.file("v.h5")) changed while it was being read "
                                             + "(truncated from ") ?? false, result.standardError, line: line)
        XCTAssertEqual(scratch.contents.filter { $0.contains("out.h5") }, [], "no output, no partial file", line: line)
    }

    func testTruncatingAStreamedInputEndsTheRunWithOneLine() throws {
        let (result, _) = try truncatedDuringTheRun(checkpoint: nil)
        assertOneLineAboutTheTruncation(result)
    }

    func testTruncatingAStreamedInputKeepsTheLastCheckpoint() throws {
        let directory = scratch.file("fit.ckpt")
        let (result, before) = try truncatedDuringTheRun(checkpoint: directory)
        assertOneLineAboutTheTruncation(result)
        let states = before.keys.filter { $0.hasPrefix("state-") }
        XCTAssertFalse(states.isEmpty, "a checkpoint was saved before the truncation")
        for name in states {
            XCTAssertEqual(FileManager.default.contents(atPath: "\(directory)/\(name)"), before[name], "\(name) kept as it was")
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertTrue(after.contains("W.0") && after.contains("W.1"), "\(after)")
        XCTAssertEqual(Set(after.filter { $0.hasPrefix("state-") }), Set(states))
    }
}
