@testable import ComponentPictures
import PNGDecoding
import XCTest

/// The PNG writer against the specifications' published check values and an
/// independent reader (`PNGDecoding`).
final class PNGEncoderTests: XCTestCase {
    func testChecksumsGiveTheirPublishedCheckValues() {
        // CRC-32/ISO-HDLC's check value (the CRC catalogue), and Adler-32's worked example.
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(DecodedPNG.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(Adler32.checksum(Array("Wikipedia".utf8)), 0x11E6_0398)
        XCTAssertEqual(DecodedPNG.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
        // Long enough for the sums to be reduced many times part-way: the worst case, all 255.
        let long = [UInt8](repeating: 255, count: 100_000)
        XCTAssertEqual(Adler32.checksum(long), DecodedPNG.adler32(long))
        let mixed = (0..<70_001).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        XCTAssertEqual(Adler32.checksum(mixed), DecodedPNG.adler32(mixed))
        XCTAssertEqual(CRC32.checksum(mixed), DecodedPNG.crc32(mixed))
    }

    func testAnImageDecodesToItsPixelsAndHasTheExpectedSize() throws {
        // 250 scanlines of 301 bytes: 75 250 bytes, more than one stored block holds.
        var image = GrayscaleImage(width: 300, height: 250)
        for row in 0..<250 {
            for column in 0..<300 { image[row, column] = UInt8((7 * column + 13 * row) % 256) }
        }
        let bytes = image.pngData
        let decoded = try DecodedPNG(bytes: bytes)
        XCTAssertEqual([decoded.width, decoded.height, decoded.bitDepth, decoded.colorType], [300, 250, 8, 0])
        XCTAssertEqual(decoded.chunkTypes, ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(decoded.pixels, image.pixels)
        // Signature, IHDR, IDAT holding zlib's 2 + 4 bytes around two 5-byte block headers, IEND.
        XCTAssertEqual(bytes.count, 8 + (12 + 13) + (12 + 2 + 2 * 5 + 75_250 + 4) + 12)
    }

    func testAOnePixelImage() throws {
        var image = GrayscaleImage(width: 1, height: 1)
        image[0, 0] = 200
        let decoded = try DecodedPNG(bytes: image.pngData)
        XCTAssertEqual(decoded.pixels, [200])
        XCTAssertEqual(image.pngData.count, 8 + 25 + (12 + 2 + 5 + 2 + 4) + 12)
    }

    func testTheReaderCatchesADamagedByte() throws {
        var image = GrayscaleImage(width: 20, height: 10, filling: 90)
        image[3, 4] = 255
        var bytes = image.pngData
        // A pixel inside IDAT's data: the chunk's CRC no longer holds.
        bytes[8 + 25 + 8 + 2 + 5 + 3 * 21 + 5] ^= 0x10
        XCTAssertThrowsError(try DecodedPNG(bytes: bytes)) { error in
            guard case .badCRC(chunk: "IDAT", _, _) = error as? PNGDecodingError else {
                return XCTFail("\(error)")
            }
        }
    }
}
