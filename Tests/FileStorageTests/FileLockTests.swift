import FileStorage
import TestSupport
import XCTest

/// The lock two runs sharing one checkpoint directory take.
final class FileLockTests: XCTestCase {
    func testALockIsHeldUntilItsOwnerGoes() throws {
        let temporary = try ScratchDirectory()
        let directory = try OpenDirectory(path: temporary.path)
        var first = try FileLock(name: "lock", in: directory)
        XCTAssertNotNil(first)
        XCTAssertNil(try FileLock(name: "lock", in: directory), "a second holder is refused")
        first = nil
        XCTAssertNotNil(try FileLock(name: "lock", in: directory), "free once released")
    }
}
