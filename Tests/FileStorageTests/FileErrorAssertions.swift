import FileStorage
import XCTest

/// Asserts that `body` throws exactly `expected`, an error of files and directories.
func XCTAssertThrowsFileError<T>(
    _ expected: FileStorageError, _ body: @autoclosure () throws -> T,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? FileStorageError, expected, file: file, line: line)
    }
}
