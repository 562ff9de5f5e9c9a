import FileStorage
import XCTest

/// The checksum checkpoints record for their files.
final class ChecksumTests: XCTestCase {
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
}
