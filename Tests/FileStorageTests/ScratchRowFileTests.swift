import Foundation
import FileStorage
import TestSupport
import XCTest

final class ScratchRowFileTests: XCTestCase {
    func testRowsRoundTripAndNoFileIsLeftInTheDirectory() throws {
        let directory = try ScratchDirectory()
        do {
            let file = try ScratchRowFile<Float>.temporary(in: directory.path, prefix: ".w-", rows: 10, columns: 3)
            XCTAssertEqual(try file.read(rows: 0..<10), [Float](repeating: 0, count: 30), "a new file reads as zeros")
            try file.write(rows: 4, elements: [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(try file.read(rows: 3..<6), [0, 0, 0, 1, 2, 3, 4, 5, 6])
            XCTAssertThrowsError(try file.read(rows: 8..<11))
            XCTAssertThrowsError(try file.write(rows: 9, elements: [1, 2, 3, 4, 5, 6]))
            // Unlinked at once: the open descriptor keeps the data, the directory shows nothing.
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
            XCTAssertTrue(file.path.hasPrefix(directory.file(".w-")), file.path)
            try file.write(rows: 0, elements: [7, 8, 9])
            XCTAssertEqual(try file.read(rows: 0..<1), [7, 8, 9])
            let sibling = try file.temporarySibling()
            XCTAssertEqual(try sibling.read(rows: 0..<10), [Float](repeating: 0, count: 30), "a file of its own")
            XCTAssertNotEqual(sibling.path, file.path)
        }
    }

    func testCreateInAMissingDirectoryFails() {
        XCTAssertThrowsError(try ScratchRowFile<Double>.temporary(in: "/nonexistent-directory", prefix: "w", rows: 2,
                                                                  columns: 2)) {
            guard case FileStorageError.cannotCreate(let path, _) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(path.hasPrefix("/nonexistent-directory/w"), path)
        }
    }
}
