import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Runs killed at chosen points, stopped by signals and by the time limit, and resumed:
/// each must end with exactly the W and H of an uninterrupted run.
final class CheckpointTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var input: String { scratch.file("v.h5") }

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", input, "--rows", "2000", "--cols", "120",
                                                    "--rank", "6", "--noise", "0.1", "--seed", "5", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
    }

    override func tearDown() { scratch = nil }

    private func factorArguments(output: String, _ extra: [String]) -> [String] {
        ["factor", input, "--dataset", "/X", "--rank", "6", "--output", output, "--max-iter", "30", "--tol", "0",
         "--quiet"] + extra
    }

    private func factors(_ path: String) throws -> (w: [Float], h: [Float]) {
        let file = try HDF5File.openReadOnly(path)
        return (try file.readMatrix(dataset: "/W", as: Float.self).elements,
                try file.readMatrix(dataset: "/H", as: Float.self).elements)
    }

    private func assertSameFactors(_ path: String, as reference: String, _ context: String,
                                   line: UInt = #line) throws {
        let (result, expected) = (try factors(path), try factors(reference))
        XCTAssertEqual(result.w, expected.w, "W differs: \(context)", line: line)
        XCTAssertEqual(result.h, expected.h, "H differs: \(context)", line: line)
    }

    /// SIGKILL in mid-pass, between passes, with W's buffers flushed, half-way through a
    /// state file and just after one is renamed into place; SIGTERM in mid-pass (a
    /// checkpoint of a pass part-way, in the pass after a checkpoint, which writes W's other
    /// buffer, and in the one after, which rewrites its own) and SIGKILL in the pass resumed
    /// from it; then a clean run. Each run counts the points it reaches from its own start; 8 tiles per pass,
    /// a checkpoint every 2 iterations.
    func testKilledAtEveryKindOfPointResumesToTheUninterruptedResult() throws {
        let kills = ["mid-pass:13", "pass-end:3", "buffers-flushed:2", "state-write:2", "state-committed:3",
                     "mid-pass:5", "state-write:1", "mid-pass:20:TERM", "mid-pass:2", "mid-pass:3:TERM",
                     "pass-end:1", "buffers-flushed:1", "mid-pass:12:TERM", "mid-pass:7", "pass-end:2",
                     "mid-pass:12:TERM", "mid-pass:2"]
        let layouts: [(name: String, arguments: [String])] = [
            ("hals, W in memory, streamed", ["--solver", "hals", "--block-rows", "256"]),
            ("hals, W in memory, V resident", ["--solver", "hals"]),
            ("cd, W in memory, streamed", ["--solver", "cd", "--block-rows", "512"]),
            ("cd, W out of core", ["--solver", "cd", "--block-rows", "256", "--w-storage", "scratch",
                                   "--init", "random"]),
            ("mu, W in memory, streamed", ["--solver", "mu", "--block-rows", "256"]),
            ("mu, W out of core", ["--solver", "mu", "--block-rows", "256", "--w-storage", "scratch",
                                   "--init", "random"]),
            // Stopped by tol at iteration 30 in pass 31, which is undone: W comes back from
            // the buffer that pass did not write.
            ("kullback-leibler, W in memory, streamed", ["--solver", "mu", "--loss", "kullback-leibler",
                                                         "--block-rows", "256", "--max-iter", "60", "--tol", "1e-2"]),
            ("kullback-leibler, W out of core", ["--solver", "mu", "--loss", "kullback-leibler", "--block-rows", "256",
                                                 "--w-storage", "scratch", "--init", "random", "--max-iter", "60",
                                                 "--tol", "2e-2"]),
        ]
        for layout in layouts {
            let reference = scratch.file("reference.h5"), output = scratch.file("resumed.h5")
            let checkpoint = scratch.file("checkpoint")
            let plain = try BlocknmfExecutable.run(factorArguments(output: reference, layout.arguments))
            XCTAssertEqual(plain.status, 0, plain.standardError)
            if layout.arguments.contains("--loss") {
                XCTAssertEqual(try HDF5File.openReadOnly(reference).attribute("n_iter", of: "/"), .integer(30))
            }
            let checkpointed = factorArguments(output: output, layout.arguments)
                + ["--checkpoint", checkpoint, "--checkpoint-every", "2"]
            var resumes = 0
            for kill in kills {
                let run = try BlocknmfExecutable.run(checkpointed, environment: ["BLOCKNMF_CRASH_AT": kill])
                let signal = kill.hasSuffix(":TERM") ? SIGTERM : SIGKILL
                XCTAssertEqual(run.status, 128 + signal, "\(layout.name), \(kill): \(run.standardError)")
                if signal == SIGTERM {
                    XCTAssertTrue(run.standardError.contains("at row"), "stopped in mid-pass: \(run.standardError)")
                }
                XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no output from a killed run")
                resumes += run.standardError.contains("resuming at") ? 1 : 0
            }
            let last = try BlocknmfExecutable.run(checkpointed.filter { $0 != "--quiet" })
            XCTAssertEqual(last.status, 0, last.standardError)
            XCTAssertEqual(scratch.contents.filter { $0.contains(".partial-") }, [],
                           "temporary outputs of killed runs are cleared")
            XCTAssertTrue(last.standardError.contains("resuming at"), last.standardError)
            try assertSameFactors(output, as: reference, layout.name)
            XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoint), "removed after success")
            try FileManager.default.removeItem(atPath: output)
            try FileManager.default.removeItem(atPath: reference)
        }
    }

    /// `anls`: killed and stopped in mid-pass and between passes, with W in memory and out of
    /// core, streamed; resumed, it ends with the uninterrupted run's W and H.
    func testANLSKilledInMidPassResumesToTheUninterruptedResult() throws {
        let kills = ["mid-pass:13", "mid-pass:20:TERM", "mid-pass:2", "pass-end:3", "state-write:1", "mid-pass:5"]
        for storage in [[String](), ["--w-storage", "scratch", "--init", "random"]] {
            let options = ["--solver", "anls", "--block-rows", "256", "--max-iter", "12"] + storage
            let reference = scratch.file("reference.h5"), output = scratch.file("resumed.h5")
            let plain = try BlocknmfExecutable.run(factorArguments(output: reference, options))
            XCTAssertEqual(plain.status, 0, plain.standardError)
            let checkpointed = factorArguments(output: output, options)
                + ["--checkpoint", scratch.file("checkpoint"), "--checkpoint-every", "2"]
            for kill in kills {
                let run = try BlocknmfExecutable.run(checkpointed, environment: ["BLOCKNMF_CRASH_AT": kill])
                let signal = kill.hasSuffix(":TERM") ? SIGTERM : SIGKILL
                XCTAssertEqual(run.status, 128 + signal, "\(storage) \(kill): \(run.standardError)")
            }
            let last = try BlocknmfExecutable.run(checkpointed.filter { $0 != "--quiet" })
            XCTAssertEqual(last.status, 0, last.standardError)
            XCTAssertTrue(last.standardError.contains("resuming at"), last.standardError)
            try assertSameFactors(output, as: reference, "anls \(storage)")
            try FileManager.default.removeItem(atPath: output)
            try FileManager.default.removeItem(atPath: reference)
        }
    }

    /// Stops and kills inside the passes that may be undone (pass 21, which evaluates iterate
    /// 20, and pass 31, which finds the fit stopped at 30): resumed from a checkpoint taken
    /// part-way through such a pass, the fit still ends with the uninterrupted W and H.
    func testStopsInsideAPassThatMayBeUndoneResumeToTheUninterruptedResult() throws {
        for storage in [[String](), ["--w-storage", "scratch", "--init", "random", "--tol", "2e-2"]] {
            let options = ["--solver", "mu", "--loss", "kullback-leibler", "--block-rows", "256", "--max-iter", "60",
                           "--tol", "1e-2"] + storage
            let reference = scratch.file("reference.h5"), output = scratch.file("resumed.h5")
            let plain = try BlocknmfExecutable.run(factorArguments(output: reference, options))
            XCTAssertEqual(plain.status, 0, plain.standardError)
            XCTAssertEqual(try HDF5File.openReadOnly(reference).attribute("n_iter"), .integer(30))
            let checkpointed = factorArguments(output: output, options)
                + ["--checkpoint", scratch.file("checkpoint"), "--checkpoint-every", "5"]
            // 8 tiles per pass, counted from each run's start: tile 4 of pass 21; in the pass
            // resumed there, tile 6; then the rest of pass 21, passes 22–30, and tile 3 of pass 31.
            for (kill, status) in [("mid-pass:164:TERM", SIGTERM), ("mid-pass:2", SIGKILL),
                                   ("mid-pass:79:TERM", SIGTERM), ("mid-pass:1", SIGKILL)] {
                let run = try BlocknmfExecutable.run(checkpointed, environment: ["BLOCKNMF_CRASH_AT": kill])
                XCTAssertEqual(run.status, 128 + status, "\(storage) \(kill): \(run.standardError)")
            }
            let last = try BlocknmfExecutable.run(checkpointed.filter { $0 != "--quiet" })
            XCTAssertEqual(last.status, 0, last.standardError)
            XCTAssertTrue(last.standardError.contains("resuming at iteration 31"), last.standardError)
            XCTAssertEqual(try HDF5File.openReadOnly(output).attribute("n_iter"), .integer(30))
            try assertSameFactors(output, as: reference, "\(storage)")
            try FileManager.default.removeItem(atPath: output)
            try FileManager.default.removeItem(atPath: reference)
        }
    }

    /// SIGTERM, SIGINT and SIGUSR1 stop a run within seconds with a checkpoint and their
    /// statuses; --time-limit with 75; the rerun after each ends as an uninterrupted run. Each
    /// run suspends itself in mid-pass of its third iteration (8 tiles a pass), where the
    /// signal reaches it.
    func testSignalsAndTheTimeLimitStopWithACheckpoint() throws {
        let reference = scratch.file("reference.h5"), output = scratch.file("out.h5")
        let checkpoint = scratch.file("checkpoint")
        let plain = try BlocknmfExecutable.run(factorArguments(output: reference, ["--max-iter", "1500", "--solver", "cd"]))
        XCTAssertEqual(plain.status, 0, plain.standardError)
        let arguments = factorArguments(output: output, ["--solver", "cd", "--checkpoint", checkpoint])
            .filter { $0 != "--quiet" }

        for (signal, status) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130)), (SIGUSR1, Int32(138))] {
            let run = try RunningCommand(arguments + ["--max-iter", "100000"],
                                         environment: ["BLOCKNMF_CRASH_AT": "mid-pass:20:STOP"])
            XCTAssertTrue(run.waitUntilStopped(), "the run reached its third pass")
            kill(run.process.processIdentifier, signal)
            let sent = Date()
            let result = run.continueToTheEnd()
            XCTAssertLessThan(Date().timeIntervalSince(sent), 10, "stopped within seconds")
            XCTAssertEqual(result.status, status, result.standardError)
            XCTAssertTrue(result.standardError.contains("checkpoint saved in \(checkpoint)"), result.standardError)
            XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        }
        let limited = try BlocknmfExecutable.run(arguments + ["--max-iter", "100000", "--time-limit", "1s"])
        XCTAssertEqual(limited.status, 75, limited.standardError)
        XCTAssertTrue(limited.standardError.contains("stopped by time limit 1s"), limited.standardError)

        let resumed = try BlocknmfExecutable.run(arguments + ["--max-iter", "1500"])
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardError.contains("resuming at"), resumed.standardError)
        try assertSameFactors(output, as: reference, "after three signals and a time limit")
    }

    /// A checkpoint whose newest state or W buffer is damaged falls back to the state
    /// before when that one still verifies, and is refused when none does.
    func testDamagedCheckpointsAreDetected() throws {
        let reference = scratch.file("reference.h5"), output = scratch.file("out.h5")
        let checkpoint = scratch.file("checkpoint")
        let options = ["--block-rows", "256", "--solver", "hals"]
        XCTAssertEqual(try BlocknmfExecutable.run(factorArguments(output: reference, options)).status, 0)
        let arguments = factorArguments(output: output, options) + ["--checkpoint", checkpoint,
                                                                    "--checkpoint-every", "1"]
        func killAfterTheFourthState() throws {
            // Killed with the newest state just renamed into place: the one before it still verifies.
            let run = try BlocknmfExecutable.run(arguments + ["--restart"],
                                                 environment: ["BLOCKNMF_CRASH_AT": "state-committed:4"])
            XCTAssertEqual(run.status, 128 + SIGKILL, run.standardError)
        }
        func newestState() throws -> (path: String, pendingBuffer: Int) {
            let names = try FileManager.default.contentsOfDirectory(atPath: checkpoint).filter { $0.hasPrefix("state-") }
            let path = "\(checkpoint)/\(names.sorted().last!)"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            let body = bytes[(bytes.firstIndex(of: UInt8(ascii: "\n"))! + 1)...]
            let json = try JSONSerialization.jsonObject(with: Data(body)) as! [String: Any]
            return (path, (json["w"] as! [String: Any])["pendingBuffer"] as! Int)
        }
        func flipByte(in path: String, at offset: Int) throws {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.seek(toOffset: UInt64(offset))
            let byte = try handle.read(upToCount: 1)![0]
            try handle.seek(toOffset: UInt64(offset))
            try handle.write(contentsOf: Data([byte ^ 0x10]))
            try handle.close()
        }

        // A flipped bit in the newest state's W buffer.
        try killAfterTheFourthState()
        let newest = try newestState()
        try flipByte(in: "\(checkpoint)/W.\(newest.pendingBuffer)", at: 1000)
        let fellBack = try BlocknmfExecutable.run(arguments.filter { $0 != "--quiet" })
        XCTAssertEqual(fellBack.status, 0, fellBack.standardError)
        XCTAssertTrue(fellBack.standardError.contains("W's buffers do not match its checksum; using an older one"),
                      fellBack.standardError)
        try assertSameFactors(output, as: reference, "fallback after a damaged W buffer")
        try FileManager.default.removeItem(atPath: output)

        // A truncated newest state file.
        try killAfterTheFourthState()
        let state = try newestState().path
        let content = try Data(contentsOf: URL(fileURLWithPath: state))
        try content.prefix(content.count / 2).write(to: URL(fileURLWithPath: state))
        let truncated = try BlocknmfExecutable.run(arguments.filter { $0 != "--quiet" })
        XCTAssertEqual(truncated.status, 0, truncated.standardError)
        XCTAssertTrue(truncated.standardError.contains("truncated; using an older one"), truncated.standardError)
        try assertSameFactors(output, as: reference, "fallback after a truncated state file")
        try FileManager.default.removeItem(atPath: output)

        // Both buffers damaged: nothing verifies, and the run says so.
        try killAfterTheFourthState()
        for buffer in 0..<2 { try flipByte(in: "\(checkpoint)/W.\(buffer)", at: 40) }
        let refused = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(refused.status, 65, refused.standardError)
        XCTAssertTrue(refused.standardError.contains("is damaged"), refused.standardError)
        XCTAssertTrue(refused.standardError.contains("--restart"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    /// A checkpoint of other input or another configuration is refused, naming what differs;
    /// --restart discards it; a second run on the same directory is turned away.
    func testACheckpointOfAnotherRunIsRefused() throws {
        let output = scratch.file("out.h5"), checkpoint = scratch.file("checkpoint")
        let arguments = factorArguments(output: output, ["--block-rows", "256"]) + ["--checkpoint", checkpoint]
        let killed = try BlocknmfExecutable.run(arguments, environment: ["BLOCKNMF_CRASH_AT": "pass-end:2"])
        XCTAssertEqual(killed.status, 128 + SIGKILL, killed.standardError)

        var otherRank = arguments
        otherRank[otherRank.firstIndex(of: "--rank")! + 1] = "5"
        let rank = try BlocknmfExecutable.run(otherRank)
        XCTAssertEqual(rank.status, 64, rank.standardError)
        XCTAssertTrue(rank.standardError.contains("rank was 6, now 5"), rank.standardError)
        let solver = try BlocknmfExecutable.run(arguments + ["--solver", "mu"])
        XCTAssertTrue(solver.standardError.contains("solver was anls, now mu"), solver.standardError)

        // The same file with a new modification time is other input.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: input)
        let touched = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(touched.status, 64, touched.standardError)
        XCTAssertTrue(touched.standardError.contains("file modification time was"), touched.standardError)

        // The first run holds the directory while it is suspended after its first pass.
        let first = try RunningCommand(arguments + ["--restart", "--max-iter", "100000"],
                                       environment: ["BLOCKNMF_CRASH_AT": "pass-end:1:STOP"])
        XCTAssertTrue(first.waitUntilStopped(), "the first run reached its first pass's end")
        let second = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(second.status, 75, second.standardError)
        XCTAssertTrue(second.standardError.contains("is in use"), second.standardError)
        kill(first.process.processIdentifier, SIGTERM)
        XCTAssertEqual(first.continueToTheEnd().status, 143)

        let restarted = try BlocknmfExecutable.run(arguments + ["--restart"])
        XCTAssertEqual(restarted.status, 0, restarted.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: checkpoint))
    }

    func testCheckpointOptionsNeedACheckpointDirectory() throws {
        for extra in [["--restart"], ["--keep-checkpoint"], ["--time-limit", "1h"], ["--checkpoint-every", "10"]] {
            let run = try BlocknmfExecutable.run(factorArguments(output: scratch.file("o.h5"), extra))
            XCTAssertEqual(run.status, 64, run.standardError)
            XCTAssertTrue(run.standardError.contains("\(extra[0]) needs --checkpoint DIR"), run.standardError)
        }
        for bad in [["--checkpoint-every", "0"], ["--checkpoint-every", "5x"], ["--time-limit", "soon"]] {
            let run = try BlocknmfExecutable.run(factorArguments(output: scratch.file("o.h5"), bad)
                                                 + ["--checkpoint", scratch.file("c")])
            XCTAssertEqual(run.status, 64, "\(bad): \(run.standardError)")
        }
    }
}
