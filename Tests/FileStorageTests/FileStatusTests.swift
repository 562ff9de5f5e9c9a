import FileStorage
import Foundation
import TestSupport
import XCTest

/// What a run records of its input to notice it changed.
final class FileStatusTests: XCTestCase {
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
