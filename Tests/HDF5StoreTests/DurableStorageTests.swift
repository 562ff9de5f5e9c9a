import Foundation
import HDF5Store
import TestSupport
import XCTest

/// The pieces checkpoints stand on: checksums, whole-file replacement, kept row files, locks.
final class DurableStorageTests: XCTestCase {
    func testChecksumIsTheSameHoweverTheStreamIsCutAndChangesWithAnyByte() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        var whole = Checksum()
        whole.add(bytes)
        for cuts in [[1], [7, 8, 9], [3, 500, 501, 999], Array(stride(from: 13, to: 1000, by: 13))] {
            var pieces = Checksum()
            var start = 0
            for cut in cuts + [bytes.count] {
                pieces.add(bytes[start..<cut])
                start = cut
            }
            XCTAssertEqual(pieces.value, whole.value, "cut at \(cuts)")
        }
        var seen: Set<UInt64> = [whole.value]
        for position in [0, 1, 7, 8, 500, 998, 999] {
            for bit in [0, 3, 7] {
                var changed = bytes
                changed[position] ^= 1 << bit
                var checksum = Checksum()
                checksum.add(changed)
                XCTAssertTrue(seen.insert(checksum.value).inserted, "flip of bit \(bit) at \(position) noticed")
            }
        }
        for length in [999, 992, 0] {
            var shorter = Checksum()
            shorter.add(bytes[0..<length])
            XCTAssertTrue(seen.insert(shorter.value).inserted, "truncation to \(length) noticed")
        }
        var zeros = Checksum(), moreZeros = Checksum()
        zeros.add([UInt8](repeating: 0, count: 16))
        moreZeros.add([UInt8](repeating: 0, count: 24))
        XCTAssertNotEqual(zeros.value, moreZeros.value, "the length counts")
        XCTAssertEqual(whole.hexadecimal.count, 16)
        XCTAssertEqual(UInt64(whole.hexadecimal, radix: 16), whole.value)
    }

    func testReplaceWritesTheWholeNewContentAndLeavesNoTemporaryFile() throws {
        let directory = try ScratchDirectory()
        let opened = try OpenDirectory(path: directory.path)
        try DurableFile.replace("state", in: opened, with: Array("first".utf8))
        var halfWay: [UInt8]?
        var namesHalfWay: [String] = []
        try DurableFile.replace("state", in: opened, with: Array("second, longer".utf8), halfWritten: {
            halfWay = try? DurableFile.read("state", in: opened)
            namesHalfWay = opened.names()
        })
        XCTAssertEqual(halfWay, Array("first".utf8), "the old content stays until the new one is complete")
        XCTAssertEqual(try DurableFile.read("state", in: opened), Array("second, longer".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["state"])
        XCTAssertThrowsStoreError(.fileNotFound(path: directory.file("missing")),
                                  try DurableFile.read("missing", in: opened))
        let temporary = namesHalfWay.filter { $0 != "state" }
        XCTAssertEqual(temporary.count, 1, "\(namesHalfWay)")
        XCTAssertTrue(temporary.allSatisfy { $0.hasPrefix("state" + DurableFile.temporarySuffix) }, "\(temporary)")
    }

    func testKeptRowFilesReopenCopyAndChecksumTheirRows() throws {
        let directory = try ScratchDirectory()
        let opened = try OpenDirectory(path: directory.path)
        let elements = (0..<40).map(Float.init)
        do {
            let file = try ScratchRowFile<Float>(creating: "W.0", in: opened, rows: 10, columns: 4)
            try file.write(rows: 0, elements: elements)
            try file.synchronize()
        }
        let reopened = try ScratchRowFile<Float>(opening: "W.0", in: opened, rows: 10, columns: 4)
        XCTAssertEqual(try reopened.read(rows: 0..<10), elements)
        var fromFile = Checksum(), expected = Checksum()
        try reopened.addRows(2..<7, to: &fromFile)
        expected.add(Array(elements[8..<28]))
        XCTAssertEqual(fromFile.value, expected.value)

        let other = try ScratchRowFile<Float>(creating: "W.1", in: opened, rows: 10, columns: 4)
        try reopened.copyRows(3..<5, to: other)
        XCTAssertEqual(try other.read(rows: 2..<6), [0, 0, 0, 0] + Array(elements[12..<20]) + [0, 0, 0, 0])

        XCTAssertThrowsError(try ScratchRowFile<Float>(opening: "W.0", in: opened, rows: 11, columns: 4)) {
            guard case HDF5StoreError.cannotOpen(_, let reason) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("160 bytes"), reason)
        }
        XCTAssertThrowsStoreError(.fileNotFound(path: directory.file("W.2")),
                                  try ScratchRowFile<Float>(opening: "W.2", in: opened, rows: 10, columns: 4))
        XCTAssertThrowsError(try ScratchRowFile<Float>(creating: "W.0", in: opened, rows: 10, columns: 4),
                             "an existing file is never created over") {
            guard case HDF5StoreError.cannotCreate = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try ScratchRowFile<Float>(opening: "W.0", in: opened, rows: 10, columns: 4)
            .read(rows: 0..<10), elements)
    }

    func testALockIsHeldUntilItsOwnerGoes() throws {
        let temporary = try ScratchDirectory()
        let directory = try OpenDirectory(path: temporary.path)
        var first = try FileLock(name: "lock", in: directory)
        XCTAssertNotNil(first)
        XCTAssertNil(try FileLock(name: "lock", in: directory), "a second holder is refused")
        first = nil
        XCTAssertNotNil(try FileLock(name: "lock", in: directory), "free once released")
    }

    func testFileStatusSeesAChangedFile() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("data")
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        let before = try FileStatus(path: path)
        XCTAssertEqual(before.size, 3)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 10)], ofItemAtPath: path)
        XCTAssertNotEqual(try FileStatus(path: path).modificationNanoseconds, before.modificationNanoseconds)
    }
}
