import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Outputs, scratch files and checkpoints in directories other users can write
/// (docs/reliability.md, "Shared directories: the threat model"): links planted at names a
/// run uses are neither followed nor removed, files under construction are private, and a
/// checkpoint that is not this user's alone is refused. Run as root, "another user" is uid
/// 65534.
final class SharedDirectoryTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var input: String { scratch.file("v.h5") }
    private var victim: String { scratch.file("victim") }
    private let victimContent = "a file of the user's that no run may change\n"
    private static let otherUser: uid_t = 65534
    private static let trustRule = "a checkpoint is used only when this user owns it and no one else can write to it"

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", input, "--rows", "600", "--cols", "40", "--rank", "3",
                                                    "--noise", "0.1", "--seed", "3", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        try victimContent.write(toFile: victim, atomically: false, encoding: .utf8)
    }

    override func tearDown() { scratch = nil }

    private func factor(output: String, _ extra: [String] = [], environment: [String: String] = [:]) throws
        -> CommandResult
    {
        try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "3", "--output", output,
                                    "--max-iter", "20", "--tol", "0", "--quiet"] + extra, environment: environment)
    }

    private func assertVictimUntouched(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), victimContent, "the victim file changed",
                       file: file, line: line)
    }

    /// Permission bits, of the entry itself (links are not followed).
    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    private func type(_ path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    private func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
        let previous = umask(mask)
        defer { umask(previous) }
        return try body()
    }

    /// The one line of a run that failed with `status`.
    private func failure(_ result: CommandResult, status: Int32, file: StaticString = #filePath,
                         line: UInt = #line) -> String {
        XCTAssertEqual(result.status, status, result.standardError, file: file, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line: \(result.standardError)", file: file, line: line)
        return String(lines.first ?? "")
    }

    // MARK: Outputs

    /// A run killed by SIGKILL leaves its result under construction: in a directory of mode
    /// 0700 with an unpredictable name, as a file of mode 0600, whatever the umask. The next
    /// run removes it and gives its result the mode the umask gives new files.
    func testOutputsAreBuiltPrivatelyAndWhatAKilledRunLeftIsRemovedByTheNext() throws {
        let output = scratch.file("out.h5"), picture = scratch.file("parts.png")
        let pictureFlags = ["--image-shape", "5x8", "--components-png", picture]
        let killed = try withUmask(0) {
            try factor(output: output, pictureFlags, environment: ["BLOCKNMF_CRASH_AT": "mid-pass:2"])
        }
        XCTAssertEqual(killed.status, 128 + SIGKILL, killed.standardError)
        let left = scratch.contents.filter { $0.hasPrefix(".") }.sorted()
        XCTAssertEqual(left.count, 2, "\(scratch.contents)")
        for (entry, name) in zip(left, ["out.h5", "parts.png"]) {
            let pattern = "^\\.\(NSRegularExpression.escapedPattern(for: name))\\.partial-[0-9]+-[A-Za-z0-9]{12}$"
            XCTAssertNotNil(entry.range(of: pattern, options: .regularExpression), entry)
            XCTAssertEqual(try type(scratch.file(entry)), .typeDirectory)
            XCTAssertEqual(try mode(scratch.file(entry)), 0o700, entry)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.file(entry)), [name])
            XCTAssertEqual(try mode(scratch.file("\(entry)/\(name)")), 0o600, entry)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))

        let finished = try withUmask(0o027) { try factor(output: output, pictureFlags) }
        XCTAssertEqual(finished.status, 0, finished.standardError)
        XCTAssertEqual(Set(scratch.contents), ["v.h5", "victim", "out.h5", "parts.png"])
        XCTAssertEqual(try mode(output), 0o640)
        XCTAssertEqual(try mode(picture), 0o640)
        XCTAssertEqual(try HDF5File.openReadOnly(output).attribute("n_iter"), .integer(20))
    }

    /// Earlier versions wrote `.NAME.partial-PID` and `.NAME.W-scratch-PID` with O_TRUNC:
    /// links planted there for the next few thousand process ids, and at the output's own
    /// name, must change nothing but the output's name, which becomes the result.
    func testLinksPlantedAtPredictableNamesAreNeitherFollowedNorRemoved() throws {
        let pidMax = Int32(try String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 32768
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/bin/true")
        try probe.run()
        probe.waitUntilExit()
        var planted: Set<Int32> = []
        for step in 1...3000 {
            let pid = (probe.processIdentifier + Int32(step)) % pidMax
            guard pid > 1 else { continue }
            for name in [".out.h5.partial-\(pid)", ".out.h5.W-scratch-\(pid)"] {
                try FileManager.default.createSymbolicLink(atPath: scratch.file(name), withDestinationPath: victim)
            }
            planted.insert(pid)
        }
        let output = scratch.file("out.h5")
        try FileManager.default.createSymbolicLink(atPath: output, withDestinationPath: victim)

        let process = Process()
        process.executableURL = BlocknmfExecutable.url
        process.arguments = ["factor", input, "--dataset", "/X", "--rank", "3", "--output", output, "--max-iter", "20",
                             "--tol", "0", "--w-storage", "scratch", "--init", "random", "--quiet"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, message)
        XCTAssertTrue(planted.contains(process.processIdentifier),
                      "the run's own names were planted (pid \(process.processIdentifier))")

        assertVictimUntouched()
        XCTAssertEqual(try type(output), .typeRegular, "the link at the output's name is replaced by the result")
        XCTAssertEqual(try HDF5File.openReadOnly(output).attribute("n_iter"), .integer(20))
        let links = scratch.contents.filter { $0.hasPrefix(".out.h5.") }
        XCTAssertEqual(links.count, 2 * planted.count, "every planted link is still there, and nothing else")
        for link in links { XCTAssertEqual(try type(scratch.file(link)), .typeSymbolicLink, link) }
    }

    /// `-o DIR/`, `-o DIR` and an output in a missing directory, for every command that
    /// writes one and for --components-png: one line, status 73, before any work, nothing left.
    func testAnOutputThatIsADirectoryOrInAMissingDirectoryIsRefusedInOneLine() throws {
        let model = scratch.file("model.h5"), w = scratch.file("w.h5")
        XCTAssertEqual(try factor(output: model).status, 0)
        XCTAssertEqual(try BlocknmfExecutable.run(["transform", input, "--dataset", "/X", "--model", model,
                                                   "--output", w, "--quiet"]).status, 0)
        let directory = scratch.file("results")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let missing = scratch.file("missing")
        let refusals = [
            (directory + "/", "it is a directory"),
            (directory, "it is a directory"),
            (missing + "/", "directory \(missing) does not exist"),
            (missing + "/out.h5", "directory \(missing) does not exist"),
            (victim + "/out.h5", "\(victim) is not a directory"),
        ]
        let before = Set(scratch.contents)
        for (path, reason) in refusals {
            let commands: [(String, [String])] = [
                ("factor", ["factor", input, "--dataset", "/X", "--rank", "3", "--output", path, "--quiet"]),
                ("transform", ["transform", input, "--dataset", "/X", "--model", model, "--output", path, "--quiet"]),
                ("inverse-transform", ["inverse-transform", w, "--model", model, "--output", path]),
                ("generate", ["generate", path, "--rows", "10", "--cols", "4", "--rank", "2", "--quiet"]),
                ("--components-png", ["factor", input, "--dataset", "/X", "--rank", "3",
                                      "--output", scratch.file("fit.h5"), "--image-shape", "5x8",
                                      "--components-png", path, "--quiet"]),
            ]
            for (name, arguments) in commands {
                let result = try BlocknmfExecutable.run(arguments)
                XCTAssertEqual(failure(result, status: 73), "blocknmf: error: cannot create \(path): \(reason)",
                               "\(name) -o \(path)")
                XCTAssertEqual(result.standardOutput, "", name)
                XCTAssertEqual(Set(scratch.contents), before, "\(name) -o \(path): files left")
                XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [], name)
            }
        }
        assertVictimUntouched()
    }

    // MARK: Checkpoints

    /// A fresh checkpoint directory is mode 0700 and its files 0600, whatever the umask.
    func testCheckpointDirectoryAndFilesAreMadePrivate() throws {
        let checkpoint = scratch.file("fit.ckpt")
        let run = try withUmask(0) {
            try factor(output: scratch.file("out.h5"), ["--checkpoint", checkpoint, "--checkpoint-every", "3",
                                                        "--keep-checkpoint"])
        }
        XCTAssertEqual(run.status, 0, run.standardError)
        XCTAssertEqual(try mode(checkpoint), 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoint).sorted()
        XCTAssertEqual(files.filter { !$0.hasPrefix("state-") }, ["W.0", "W.1", "lock"])
        XCTAssertEqual(files.filter { $0.hasPrefix("state-") }.count, 2, "\(files)")
        for file in files { XCTAssertEqual(try mode("\(checkpoint)/\(file)"), 0o600, file) }
    }

    /// A kept checkpoint at iteration 4, then each way it can come to be out of this user's
    /// sole control: the run resuming from it exits with 77 and one line naming what is
    /// wrong, writes nothing and changes nothing; with the change undone, it resumes.
    func testCheckpointsNotThisUsersAloneAreRefused() throws {
        let checkpoint = scratch.file("fit.ckpt"), output = scratch.file("out.h5")
        let first = try factor(output: output, ["--checkpoint", checkpoint, "--checkpoint-every", "2",
                                                "--keep-checkpoint", "--max-iter", "4"])
        XCTAssertEqual(first.status, 0, first.standardError)
        try FileManager.default.removeItem(atPath: output)
        let newest = try FileManager.default.contentsOfDirectory(atPath: checkpoint)
            .filter { $0.hasPrefix("state-") }.sorted().last ?? "none"
        let copy = scratch.file("copy-of-state")
        try FileManager.default.copyItem(atPath: "\(checkpoint)/\(newest)", toPath: copy)
        let user = geteuid()
        func chownTo(_ owner: uid_t, _ name: String) -> () -> Void {
            { XCTAssertEqual(lchown(name.isEmpty ? checkpoint : "\(checkpoint)/\(name)", owner, gid_t(owner)), 0) }
        }
        func chmodTo(_ mode: mode_t, _ name: String) -> () -> Void {
            { XCTAssertEqual(chmod(name.isEmpty ? checkpoint : "\(checkpoint)/\(name)", mode), 0) }
        }
        /// Puts a link to `target` where `name` was, and back.
        func linkInstead(_ name: String, to target: String) -> (() -> Void, () -> Void) {
            let path = "\(checkpoint)/\(name)", aside = scratch.file("aside")
            return ({
                XCTAssertEqual(rename(path, aside), 0)
                XCTAssertEqual(symlink(target, path), 0)
            }, {
                XCTAssertEqual(unlink(path), 0)
                XCTAssertEqual(rename(aside, path), 0)
            })
        }
        let stateLink = linkInstead(newest, to: copy)
        let bufferLink = linkInstead("W.0", to: victim)
        let lockLink = linkInstead("lock", to: victim)
        let cases: [(String, () -> Void, () -> Void, String)] = [
            ("directory of another user", chownTo(Self.otherUser, ""), chownTo(user, ""),
             "it is owned by uid 65534, not by this user (uid \(user))"),
            ("directory writable by its group", chmodTo(0o770, ""), chmodTo(0o700, ""),
             "it is writable by its group (mode 770)"),
            ("directory writable by others", chmodTo(0o703, ""), chmodTo(0o700, ""),
             "it is writable by other users (mode 703)"),
            ("state file of another user", chownTo(Self.otherUser, newest), chownTo(user, newest),
             "\(checkpoint)/\(newest) is owned by uid 65534, not by this user (uid \(user))"),
            ("state file writable by its group", chmodTo(0o660, newest), chmodTo(0o600, newest),
             "\(checkpoint)/\(newest) is writable by its group (mode 660)"),
            ("buffer of another user", chownTo(Self.otherUser, "W.1"), chownTo(user, "W.1"),
             "\(checkpoint)/W.1 is owned by uid 65534, not by this user (uid \(user))"),
            ("lock of another user", chownTo(Self.otherUser, "lock"), chownTo(user, "lock"),
             "\(checkpoint)/lock is owned by uid 65534, not by this user (uid \(user))"),
            // A copy with valid checksums, reached through a link.
            ("state file that is a link", stateLink.0, stateLink.1, "\(checkpoint)/\(newest) is a symbolic link"),
            ("buffer that is a link", bufferLink.0, bufferLink.1, "\(checkpoint)/W.0 is a symbolic link"),
            ("lock that is a link", lockLink.0, lockLink.1, "\(checkpoint)/lock is a symbolic link"),
        ]
        let resume = ["--checkpoint", checkpoint, "--checkpoint-every", "2", "--keep-checkpoint", "--max-iter", "6"]
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: checkpoint) {
                files[name] = try? Data(contentsOf: URL(fileURLWithPath: "\(checkpoint)/\(name)"))
            }
            return files
        }
        for (name, tamper, undo, reason) in cases {
            let before = try snapshot()
            tamper()
            let outside = Set(scratch.contents)
            let refused = try factor(output: output, resume)
            XCTAssertEqual(failure(refused, status: 77),
                           "blocknmf: error: refusing checkpoint directory \(checkpoint): \(reason); \(Self.trustRule)",
                           name)
            XCTAssertEqual(Set(scratch.contents), outside, "\(name): no output, nothing else written")
            undo()
            XCTAssertEqual(try snapshot(), before, "\(name): the checkpoint changed")
            assertVictimUntouched()
        }
        let resumed = try BlocknmfExecutable.run(["factor", input, "--dataset", "/X", "--rank", "3", "--output", output,
                                                  "--tol", "0"] + resume)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        XCTAssertTrue(resumed.standardError.contains("resuming at iteration 4 of 6"), resumed.standardError)
    }

    /// A link planted where the checkpoint directory is to be made: refused, and the
    /// directory it points to (the user's own) gets nothing. A directory of another user:
    /// refused, nothing made in it. A file: not a directory, left as it is.
    func testACheckpointDirectoryThatIsALinkOrAnotherUsersIsRefused() throws {
        let target = scratch.file("own-directory")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        XCTAssertEqual(chmod(target, 0o700), 0)
        let link = scratch.file("fit.ckpt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let linked = try factor(output: scratch.file("out.h5"), ["--checkpoint", link])
        XCTAssertEqual(failure(linked, status: 77),
                       "blocknmf: error: refusing checkpoint directory \(link): it is a symbolic link; \(Self.trustRule)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), [])

        let foreign = scratch.file("foreign.ckpt")
        try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
        XCTAssertEqual(chown(foreign, Self.otherUser, gid_t(Self.otherUser)), 0)
        let refused = try factor(output: scratch.file("out.h5"), ["--checkpoint", foreign])
        XCTAssertEqual(failure(refused, status: 77), "blocknmf: error: refusing checkpoint directory \(foreign): "
                       + "it is owned by uid 65534, not by this user (uid \(geteuid())); \(Self.trustRule)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: foreign), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))

        let notADirectory = try factor(output: scratch.file("out.h5"), ["--checkpoint", victim])
        XCTAssertEqual(failure(notADirectory, status: 73),
                       "blocknmf: error: cannot create \(victim): it exists and is not a directory")
        assertVictimUntouched()
    }

    /// Links planted at the buffers' and a state file's names in a checkpoint directory that
    /// holds no checkpoint yet: refused too, the links left as they are, never written through.
    func testLinksAtCheckpointFileNamesAreRefusedEvenWithoutACheckpoint() throws {
        let checkpoint = scratch.file("fit.ckpt")
        try FileManager.default.createDirectory(atPath: checkpoint, withIntermediateDirectories: false)
        XCTAssertEqual(chmod(checkpoint, 0o700), 0)
        let names = ["W.0", "W.1", "state-00000001.partial-AAAAAAAAAAAA"]
        for name in names {
            try FileManager.default.createSymbolicLink(atPath: "\(checkpoint)/\(name)", withDestinationPath: victim)
        }
        for extra in [[], ["--restart"]] {
            let run = try factor(output: scratch.file("out.h5"), ["--checkpoint", checkpoint] + extra)
            XCTAssertEqual(failure(run, status: 77), "blocknmf: error: refusing checkpoint directory \(checkpoint): "
                           + "\(checkpoint)/W.0 is a symbolic link; \(Self.trustRule)", "\(extra)")
            assertVictimUntouched()
            XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: checkpoint)), Set(names + ["lock"]))
            for name in names { XCTAssertEqual(try type("\(checkpoint)/\(name)"), .typeSymbolicLink, name) }
            XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))
        }
    }
}
