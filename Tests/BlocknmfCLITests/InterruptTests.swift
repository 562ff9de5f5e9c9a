import Foundation
import TestSupport
import XCTest

final class InterruptTests: XCTestCase {
    /// SIGTERM and SIGINT in the middle of a fit: the shell's status, and neither the
    /// output nor its temporary file nor a scratch file left behind.
    func testSignalsEndTheRunWithoutLeavingFiles() throws {
        let scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", scratch.file("v.h5"), "--rows", "20000",
                                                    "--cols", "300", "--rank", "5", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        for (signal, status) in [(SIGTERM, Int32(143)), (SIGINT, Int32(130))] {
            let process = Process()
            process.executableURL = BlocknmfExecutable.url
            process.arguments = ["factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "5",
                                 "--output", scratch.file("out.h5"), "--max-iter", "1000000", "--tol", "0",
                                 "--memory", "4MiB", "--w-storage", "scratch", "--init", "random", "--quiet"]
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            // Long enough to be inside the iterations: the output and the scratch file exist.
            Thread.sleep(forTimeInterval: 1.5)
            XCTAssertTrue(process.isRunning)
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, status)
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertTrue(message.contains("no output written"), message)
            XCTAssertEqual(scratch.contents, ["v.h5"])
        }
    }
}
