import FileStorage
import Foundation
import TestSupport
import XCTest

/// The pieces checkpoints stand on here: whole-file replacement and kept row files (checksums
/// and locks: FileStorageTests).
final class DurableStorageTests: XCTestCase {
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
        XCTAssertThrowsFileError(.fileNotFound(path: directory.file("missing")),
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
            guard case FileStorageError.cannotOpen(_, let reason) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("160 bytes"), reason)
        }
        XCTAssertThrowsFileError(.fileNotFound(path: directory.file("W.2")),
                                  try ScratchRowFile<Float>(opening: "W.2", in: opened, rows: 10, columns: 4))
        XCTAssertThrowsError(try ScratchRowFile<Float>(creating: "W.0", in: opened, rows: 10, columns: 4),
                             "an existing file is never created over") {
            guard case FileStorageError.cannotCreate = $0 else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(try ScratchRowFile<Float>(opening: "W.0", in: opened, rows: 10, columns: 4)
            .read(rows: 0..<10), elements)
    }
}
