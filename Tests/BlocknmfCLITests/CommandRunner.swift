import Foundation
import TestSupport
import XCTest

/// Runs the built `blocknmf` executable as a user would and captures what it prints.
enum BlocknmfExecutable {
    static var url: URL {
        // Test bundles and executables are built side by side.
        Bundle.main.bundleURL.appendingPathComponent("blocknmf")
    }

    /// `environment` is added to this process's.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus
                                 : process.terminationStatus,
                             standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: errorData, as: UTF8.self))
    }
}

/// `blocknmf` started in the background, for tests that act while it runs: it stops
/// itself at a chosen point (`BLOCKNMF_CRASH_AT=point:count:STOP`), the test changes its
/// files, then lets it continue and collects what it printed.
final class RunningCommand: @unchecked Sendable {
    let process = Process()
    private let output = Pipe(), error = Pipe()
    private var outputData = Data(), errorData = Data()
    private let readers = DispatchGroup()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = BlocknmfExecutable.url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Drained while it runs, so a full pipe never blocks it.
        for (pipe, keyPath) in [(output, \RunningCommand.outputData), (error, \RunningCommand.errorData)] {
            DispatchQueue.global().async(group: readers) { [self] in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                self[keyPath: keyPath] = data
            }
        }
    }

    /// Waits until the process has stopped itself (its state in /proc is T); false when
    /// it ended, or `timeout` seconds passed, first.
    func waitUntilStopped(timeout: Double = 300) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline && process.isRunning {
            if let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"),
               stat[stat.index(close, offsetBy: 2)] == "T" {
                return true
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return false
    }

    /// Lets a stopped process go on, and waits for it to end.
    func continueToTheEnd() -> CommandResult {
        kill(process.processIdentifier, SIGCONT)
        return finish()
    }

    /// Waits for the process to end (ending it first when `kill` is set).
    func finish(killing: Bool = false) -> CommandResult {
        if killing && process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        readers.wait()
        return CommandResult(status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus
                                 : process.terminationStatus,
                             standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: errorData, as: UTF8.self))
    }

    deinit { _ = finish(killing: true) }
}

extension CommandResult {
    /// What `--json` printed: the summary object.
    func jsonSummary(file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(standardOutput.utf8)) as? [String: Any],
                      "not a JSON object: \(standardOutput) \(standardError)", file: file, line: line)
    }
}
