/// A zlib stream (RFC 1950) whose deflate data (RFC 1951) is all stored blocks: the
/// bytes as they are, in blocks of at most 65 535, each behind a 5-byte header.
///
/// Every zlib reader inflates it. Images of NMF components are small, and a stored
/// stream needs no compressor: it costs 5 bytes per 64 KiB over the raw pixels.
enum StoredZlibStream {
    static let maximumBlockBytes = 65_535

    static func wrapping(_ data: [UInt8]) -> [UInt8] {
        let blockCount = max(1, (data.count + maximumBlockBytes - 1) / maximumBlockBytes)
        var stream: [UInt8] = []
        stream.reserveCapacity(2 + data.count + 5 * blockCount + 4)
        // CMF 0x78: deflate with a 32 KiB window. FLG 0x01: no preset dictionary, fastest
        // level, and the check bits that make 0x7801 a multiple of 31.
        stream += [0x78, 0x01]
        for block in 0..<blockCount {
            let start = block * maximumBlockBytes
            let end = min(start + maximumBlockBytes, data.count)
            let length = UInt16(end - start)
            // Bit 0: BFINAL on the last block; bits 1–2: BTYPE 00, stored. The rest of the
            // byte pads to the byte boundary a stored block starts on.
            stream.append(block == blockCount - 1 ? 0x01 : 0x00)
            stream += littleEndianBytes(length) + littleEndianBytes(~length)
            stream += data[start..<end]
        }
        stream += bigEndianBytes(Adler32.checksum(data))
        return stream
    }

    private static func littleEndianBytes(_ value: UInt16) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8)]
    }
}

/// The four bytes of `value`, most significant first: the byte order of PNG and of
/// zlib's trailer.
func bigEndianBytes(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}
