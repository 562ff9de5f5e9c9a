import FileStorage
import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Files made and trusted in directories that other users may write: new files never go
/// through a link or over an existing file and get mode 0600 whatever the umask; a file is
/// trusted only when it is this user's and no one else can write it; leftovers are removed
/// only when they are this user's. Run as root, "another user" is uid 65534.
final class OpenDirectoryTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var victim: String { scratch.file("victim") }
    private let victimContent = "the user's own file\n"
    private static let otherUser: uid_t = 65534

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        try victimContent.write(toFile: victim, atomically: false, encoding: .utf8)
    }

    override func tearDown() { scratch = nil }

    private func assertVictimUntouched(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), victimContent, file: file, line: line)
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// Runs `body` with the process's umask set to `mask`.
    private func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
        let previous = umask(mask)
        defer { umask(previous) }
        return try body()
    }

    private func assertUntrusted(_ problem: String, file: StaticString = #filePath, line: UInt = #line,
                                 _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual((error as? UntrustedFileError)?.problem, problem, "\(error)", file: file, line: line)
        }
    }

    func testNewFilesAreMode0600WhateverTheUmaskAndNeverMadeThroughALinkOrOverAFile() throws {
        let directory = try OpenDirectory(path: scratch.path)
        for mask: mode_t in [0, 0o022, 0o277] {
            try withUmask(mask) {
                let name = "made-\(mask)"
                close(try directory.createFile(name))
                XCTAssertEqual(try mode(scratch.file(name)), 0o600, "umask \(String(mask, radix: 8))")
                let (unique, descriptor) = try directory.createUniqueFile(prefix: ".tmp-")
                close(descriptor)
                XCTAssertEqual(try mode(scratch.file(unique)), 0o600, "umask \(String(mask, radix: 8))")
            }
        }
        try FileManager.default.createSymbolicLink(atPath: scratch.file("planted"), withDestinationPath: victim)
        XCTAssertThrowsError(try directory.createFile("planted")) {
            guard case FileStorageError.cannotCreate(_, let reason) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(reason, String(cString: strerror(EEXIST)))
        }
        XCTAssertThrowsError(try directory.createFile("victim"))
        XCTAssertNil(try directory.createFileIfAbsent("planted"))
        assertVictimUntouched()
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.file("planted")), victim)
    }

    func testUniqueNamesAreUnpredictable() throws {
        let directory = try OpenDirectory(path: scratch.path)
        var names: Set<String> = []
        for _ in 0..<20 {
            let (name, descriptor) = try directory.createUniqueFile(prefix: ".x-")
            close(descriptor)
            XCTAssertEqual(name.count, ".x-".count + 12, name)
            XCTAssertTrue(name.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, name)
            names.insert(name)
        }
        XCTAssertEqual(names.count, 20, "no name repeats")
    }

    func testPrivateSubdirectoriesAreMode0700WhateverTheUmask() throws {
        let directory = try OpenDirectory(path: scratch.path)
        for mask: mode_t in [0, 0o022, 0o277] {
            let (name, _) = try withUmask(mask) { try directory.makePrivateSubdirectory(prefix: ".stage-") }
            XCTAssertTrue(name.hasPrefix(".stage-"), name)
            XCTAssertEqual(try mode(scratch.file(name)), 0o700, "umask \(String(mask, radix: 8))")
        }
    }

    func testOnlyRegularFilesOfThisUserThatNoOneElseCanWriteAreTrusted() throws {
        let directory = try OpenDirectory(path: scratch.path)
        let user = geteuid()
        func plant(_ name: String, mode: mode_t, owner: uid_t = geteuid()) throws {
            XCTAssertTrue(FileManager.default.createFile(atPath: scratch.file(name), contents: Data("content".utf8)))
            XCTAssertEqual(chmod(scratch.file(name), mode), 0)
            XCTAssertEqual(chown(scratch.file(name), owner, gid_t(owner)), 0)
        }
        try plant("mine", mode: 0o600)
        try plant("readable", mode: 0o644)
        for name in ["mine", "readable"] {
            close(try directory.openTrusted(name, flags: O_RDONLY))
            XCTAssertNoThrow(try directory.checkTrusted(name))
        }
        try FileManager.default.createSymbolicLink(atPath: scratch.file("link"), withDestinationPath: scratch.file("mine"))
        try plant("foreign", mode: 0o600, owner: Self.otherUser)
        try plant("group", mode: 0o620)
        try plant("others", mode: 0o602)
        try plant("both", mode: 0o666)
        try FileManager.default.createDirectory(atPath: scratch.file("folder"), withIntermediateDirectories: false)
        let expected = [
            ("link", "is a symbolic link"),
            ("foreign", "is owned by uid 65534, not by this user (uid \(user))"),
            ("group", "is writable by its group (mode 620)"),
            ("others", "is writable by other users (mode 602)"),
            ("both", "is writable by its group and other users (mode 666)"),
            ("folder", "is not a regular file"),
        ]
        for (name, problem) in expected {
            assertUntrusted(problem) { close(try directory.openTrusted(name, flags: O_RDONLY)) }
            assertUntrusted(problem) { try directory.checkTrusted(name) }
        }
        XCTAssertEqual(try DurableFile.read("mine", in: directory), Array("content".utf8))
        assertUntrusted("is a symbolic link") { _ = try DurableFile.read("link", in: directory) }
        assertUntrusted("is owned by uid 65534, not by this user (uid \(user))") {
            _ = try ScratchRowFile<UInt8>(opening: "foreign", in: directory, rows: 7, columns: 1)
        }
        assertUntrusted("is writable by its group (mode 620)") { _ = try FileLock(name: "group", in: directory) }
    }

    func testAPrivateDirectoryIsMadeMode0700AndAnExistingOneMustBeTrusted() throws {
        try withUmask(0o277) {
            let made = scratch.file("made")
            _ = try OpenDirectory.makeOrOpenPrivate(made)
            XCTAssertEqual(try mode(made), 0o700)
        }
        let existing = scratch.file("existing")
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        XCTAssertEqual(chmod(existing, 0o755), 0)
        XCTAssertNoThrow(try OpenDirectory.makeOrOpenPrivate(existing), "readable by others is fine")
        XCTAssertEqual(try mode(existing), 0o755, "an existing directory's mode is left as it is")
        XCTAssertEqual(chmod(existing, 0o775), 0)
        assertUntrusted("is writable by its group (mode 775)") { _ = try OpenDirectory.makeOrOpenPrivate(existing) }
        XCTAssertEqual(chmod(existing, 0o1777), 0)
        assertUntrusted("is writable by its group and other users (mode 777)") {
            _ = try OpenDirectory.makeOrOpenPrivate(existing)
        }
        XCTAssertEqual(chmod(existing, 0o700), 0)
        XCTAssertEqual(chown(existing, Self.otherUser, gid_t(Self.otherUser)), 0)
        assertUntrusted("is owned by uid 65534, not by this user (uid \(geteuid()))") {
            _ = try OpenDirectory.makeOrOpenPrivate(existing)
        }
        let link = scratch.file("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: scratch.file("made"))
        assertUntrusted("is a symbolic link") { _ = try OpenDirectory.makeOrOpenPrivate(link) }
        XCTAssertThrowsError(try OpenDirectory.makeOrOpenPrivate(victim)) {
            XCTAssertEqual($0 as? FileStorageError,
                           .cannotCreate(path: self.victim, reason: "it exists and is not a directory"))
        }
        assertVictimUntouched()
    }

    func testLeftoversAreRemovedOnlyWhenTheyAreThisUsersAndLinksAreNeverFollowed() throws {
        let directory = try OpenDirectory(path: scratch.path)
        let manager = FileManager.default
        func directoryWith(_ name: String, files: [String], owner: uid_t = geteuid()) throws {
            try manager.createDirectory(atPath: scratch.file(name), withIntermediateDirectories: false)
            for file in files {
                XCTAssertTrue(manager.createFile(atPath: scratch.file("\(name)/\(file)"), contents: Data("x".utf8)))
            }
            for path in [name] + files.map({ "\(name)/\($0)" }) {
                XCTAssertEqual(chown(scratch.file(path), owner, gid_t(owner)), 0)
            }
        }
        XCTAssertTrue(manager.createFile(atPath: scratch.file("own-file"), contents: Data("x".utf8)))
        try directoryWith("own-directory", files: ["a.h5", "b.h5"])
        try directoryWith("foreign-directory", files: ["a.h5"], owner: Self.otherUser)
        XCTAssertTrue(manager.createFile(atPath: scratch.file("foreign-file"), contents: Data("x".utf8)))
        XCTAssertEqual(chown(scratch.file("foreign-file"), Self.otherUser, gid_t(Self.otherUser)), 0)
        try manager.createSymbolicLink(atPath: scratch.file("link"), withDestinationPath: victim)
        try manager.createSymbolicLink(atPath: scratch.file("link-to-directory"),
                                       withDestinationPath: scratch.file("own-directory-2"))
        try directoryWith("own-directory-2", files: ["a.h5"])
        try directoryWith("holding-a-link", files: ["a.h5"])
        try manager.createSymbolicLink(atPath: scratch.file("holding-a-link/victim"), withDestinationPath: victim)

        for name in ["own-file", "own-directory", "foreign-directory", "foreign-file", "link", "link-to-directory",
                     "holding-a-link"] {
            directory.removeOwnLeftover(name)
        }
        XCTAssertEqual(Set(try manager.contentsOfDirectory(atPath: scratch.path)),
                       ["victim", "foreign-directory", "foreign-file", "link", "link-to-directory", "own-directory-2",
                        "holding-a-link"])
        XCTAssertEqual(try manager.contentsOfDirectory(atPath: scratch.file("own-directory-2")), ["a.h5"])
        XCTAssertEqual(Set(try manager.contentsOfDirectory(atPath: scratch.file("holding-a-link"))), ["a.h5", "victim"])
        assertVictimUntouched()
    }

    /// HDF5 opens files by name: a name through the descriptor still reaches the directory
    /// after its path is renamed and a link to elsewhere is planted in its place.
    func testAPathThroughTheDescriptorStaysWithTheDirectoryItsPathNamedWhenOpened() throws {
        let staging = scratch.file("staging"), elsewhere = scratch.file("elsewhere")
        let manager = FileManager.default
        try manager.createDirectory(atPath: staging, withIntermediateDirectories: false)
        try manager.createDirectory(atPath: elsewhere, withIntermediateDirectories: false)
        let directory = try OpenDirectory(path: staging)
        close(try directory.createFile("file.h5"))
        XCTAssertEqual(rename(staging, scratch.file("moved")), 0)
        try manager.createSymbolicLink(atPath: staging, withDestinationPath: elsewhere)

        let file = try HDF5File.create(staging + "/file.h5", at: directory.pathThroughDescriptor("file.h5"))
        try file.write(dataset: "/X", shape: [1, 2], elements: [1.0, 2.0])
        try file.close()
        XCTAssertEqual(try manager.contentsOfDirectory(atPath: elsewhere), [])
        XCTAssertEqual(try HDF5File.openReadOnly(scratch.file("moved/file.h5")).readMatrix(dataset: "/X", as: Double.self)
            .elements, [1, 2])
        XCTAssertEqual(try mode(scratch.file("moved/file.h5")), 0o600, "HDF5 opened the file made beforehand")
    }

    func testRenameAndReplaceReplaceALinkAtTheNameWithoutFollowingIt() throws {
        let directory = try OpenDirectory(path: scratch.path)
        try FileManager.default.createSymbolicLink(atPath: scratch.file("result"), withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: scratch.file("state"), withDestinationPath: victim)
        close(try directory.createFile("new"))
        try directory.rename("new", to: directory, as: "result")
        try DurableFile.replace("state", in: directory, with: Array("state".utf8))
        XCTAssertEqual(try DurableFile.read("state", in: directory), Array("state".utf8))
        for name in ["result", "state"] {
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: scratch.file(name))[.type] as? FileAttributeType,
                           .typeRegular)
        }
        assertVictimUntouched()
    }
}
