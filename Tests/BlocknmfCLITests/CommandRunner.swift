import Foundation
import XCTest

/// Runs the built `blocknmf` executable as a user would and captures what it prints.
struct CommandResult {
    /// The exit status, or 128 + the signal that ended the process, as a shell reports it.
    let status: Int32
    let standardOutput: String
    let standardError: String
}

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

/// A fresh directory removed when the test ends.
final class ScratchDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("blocknmf-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
