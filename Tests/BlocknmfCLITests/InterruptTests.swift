import Foundation
import TestSupport
import XCTest

final class InterruptTests: XCTestCase {
    /// SIGTERM and SIGINT in the middle of a fit: the shell's status, and neither the
    /// output nor its temporary file nor a scratch file left behind. The run suspends itself
    /// in mid-pass of its second iteration (`BLOCKNMF_CRASH_AT=mid-pass:100:STOP`, 79 tiles a
    /// pass), so the signal arrives there however loaded the machine is.
    func testSignalsEndTheRunWithoutLeavingFiles() throws {
        let scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", scratch.file("v.h5"), "--rows", "20000",
                                                    "--cols", "300", "--rank", "5", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        for (signal, status) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            let run = try RunningCommand(
                ["factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "5",
                 "--output", scratch.file("out.h5"), "--max-iter", "1000000", "--tol", "0",
                 "--memory", "4MiB", "--w-storage", "scratch", "--init", "random", "--quiet"],
                environment: ["BLOCKNMF_CRASH_AT": "mid-pass:100:STOP"])
            XCTAssertTrue(run.waitUntilStopped(), "the run reached its second pass")
            XCTAssertTrue(scratch.contents.contains { $0.hasPrefix(".out.h5.partial-") },
                          "the output under construction: \(scratch.contents)")
            kill(run.process.processIdentifier, signal)
            let result = run.continueToTheEnd()
            XCTAssertEqual(result.status, status, result.standardError)
            XCTAssertTrue(result.standardError.contains("no output written"), result.standardError)
            XCTAssertEqual(scratch.contents, ["v.h5"])
        }
    }
}
