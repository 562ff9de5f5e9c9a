import Foundation

/// What a process the tests ran printed, and how it ended.
public struct CommandResult {
    /// The exit status, or 128 + the signal that ended the process, as a shell reports it.
    public let status: Int32
    public let standardOutput: String
    public let standardError: String

    public init(status: Int32, standardOutput: String, standardError: String) {
        self.status = status
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// Runs python3 (with h5py and numpy, which tools/setup.sh --tests installs) on a script or
/// a file of the repository, as the tests that write unusual HDF5 files need.
public enum PythonRunner {
    /// `arguments` after `python3`, e.g. `["-c", script, path]`. Standard error is read after
    /// standard output, so it must stay small (a traceback).
    public static func run(_ arguments: [String]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe(), error = Pipe()
        (process.standardOutput, process.standardError) = (output, error)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             standardOutput: String(decoding: outputData, as: UTF8.self),
                             standardError: String(decoding: errorData, as: UTF8.self))
    }
}
