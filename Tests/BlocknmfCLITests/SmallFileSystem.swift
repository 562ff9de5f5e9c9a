import Foundation
import XCTest

/// A small tmpfs of `size` bytes, so that a test can fill a disk. As root it is mounted on a
/// fresh directory and unmounted at the end; otherwise it lives in a mount namespace of its
/// own (`unshare -rm`), kept alive by a process in it, and is reached through that
/// process's root (`/proc/PID/root/…`), which the kernel lets its owner enter.
final class SmallFileSystem {
    /// The file system's root, as this process (and the programs it starts) reach it.
    let path: String
    private let mountPoint: String
    private let holder: Process?

    init(size: Int) throws {
        mountPoint = FileManager.default.temporaryDirectory
            .appendingPathComponent("blocknmf-tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let options = "size=\(size),mode=1777"
        if getuid() == 0 {
            try Self.run("/bin/mount", ["-t", "tmpfs", "-o", options, "tmpfs", mountPoint])
            holder = nil
            path = mountPoint
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-rm", "/bin/sh", "-c",
                             "mount -t tmpfs -o \(options) tmpfs \"$1\" && echo mounted && exec sleep 100000",
                             "sh", mountPoint]
        let ready = Pipe()
        process.standardOutput = ready
        try process.run()
        let line = String(decoding: ready.fileHandleForReading.availableData, as: UTF8.self)
        guard line.hasPrefix("mounted") else {
            process.terminate()
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "unshare -rm could not mount a tmpfs"])
        }
        holder = process
        path = "/proc/\(process.processIdentifier)/root\(mountPoint)"
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    /// Writes zeros into `name` until the file system is full.
    func fill(_ name: String) {
        let descriptor = open(file(name), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return }
        let zeros = [UInt8](repeating: 0, count: 1 << 16)
        var piece = zeros.count
        while piece > 0 {
            if write(descriptor, zeros, piece) < 0 { piece /= 2 }
        }
        close(descriptor)
    }

    deinit {
        if let holder {
            holder.terminate()
            holder.waitUntilExit()
        } else {
            try? Self.run("/bin/umount", [mountPoint])
        }
        rmdir(mountPoint)
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown,
                             userInfo: [NSLocalizedDescriptionKey: "\(tool) \(arguments) exited with \(process.terminationStatus)"])
        }
    }
}
