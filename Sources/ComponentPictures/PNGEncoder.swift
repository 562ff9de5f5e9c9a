/// Writes a `GrayscaleImage` as PNG (ISO/IEC 15948): the signature, then the chunks
/// IHDR (size, 8-bit grayscale), IDAT (the scanlines in a zlib stream) and IEND, each
/// with its CRC-32.
///
/// Each scanline is its pixels behind filter byte 0 (none); the zlib stream holds them
/// in stored deflate blocks (`StoredZlibStream`), which every PNG reader accepts.
enum PNGEncoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static func encode(_ image: GrayscaleImage) -> [UInt8] {
        var header = bigEndianBytes(UInt32(image.width)) + bigEndianBytes(UInt32(image.height))
        // Bit depth 8, colour type 0 (grayscale), compression 0 (deflate), filter method
        // 0 (adaptive, here always type 0), no interlace.
        header += [8, 0, 0, 0, 0]

        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(image.height * (image.width + 1))
        for row in 0..<image.height {
            scanlines.append(0)
            scanlines += image.pixels[(row * image.width)..<((row + 1) * image.width)]
        }

        return signature
            + chunk("IHDR", header)
            + chunk("IDAT", StoredZlibStream.wrapping(scanlines))
            + chunk("IEND", [])
    }

    /// Length (of the data only), type, data, and the CRC-32 of type and data.
    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var crc = CRC32()
        crc.add(typeBytes)
        crc.add(data)
        return bigEndianBytes(UInt32(data.count)) + typeBytes + data + bigEndianBytes(crc.value)
    }
}
