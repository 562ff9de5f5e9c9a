import Foundation

/// A PNG reader for the tests, written apart from the library's encoder so that a test
/// of the encoder does not check it against itself: it follows the PNG and zlib
/// specifications, verifies every chunk's CRC-32 (bit by bit, without the library's
/// table) and the zlib stream's Adler-32 (from its definition), and reads 8-bit
/// grayscale images whose scanlines use filter type 0 in stored deflate blocks — what
/// BlockNMF writes. Anything else is reported as unsupported rather than guessed at.
public struct DecodedPNG: Equatable {
    public let width: Int
    public let height: Int
    public let bitDepth: Int
    public let colorType: Int
    /// The chunk types in file order, e.g. ["IHDR", "IDAT", "IEND"].
    public let chunkTypes: [String]
    /// Row by row from the top left.
    public let pixels: [UInt8]

    public subscript(row: Int, column: Int) -> UInt8 { pixels[row * width + column] }

    public init(contentsOf path: String) throws {
        try self.init(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    public init(bytes: [UInt8]) throws {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw PNGDecodingError.badSignature }
        var position = 8
        var types: [String] = [], header: [UInt8] = [], compressed: [UInt8] = []
        while position < bytes.count {
            guard position + 12 <= bytes.count else { throw PNGDecodingError.truncated(at: position) }
            let length = Int(Self.bigEndian(bytes, at: position))
            guard position + 12 + length <= bytes.count else { throw PNGDecodingError.truncated(at: position) }
            let typeAndData = Array(bytes[(position + 4)..<(position + 8 + length)])
            let type = String(decoding: typeAndData[0..<4], as: UTF8.self)
            let stored = Self.bigEndian(bytes, at: position + 8 + length)
            let computed = Self.crc32(typeAndData)
            guard stored == computed else {
                throw PNGDecodingError.badCRC(chunk: type, stored: stored, computed: computed)
            }
            let data = Array(typeAndData[4...])
            types.append(type)
            switch type {
            case "IHDR": header = data
            case "IDAT": compressed += data
            default: break
            }
            position += 12 + length
            if type == "IEND" { break }
        }
        guard position == bytes.count else { throw PNGDecodingError.bytesAfterEnd(count: bytes.count - position) }
        guard types.first == "IHDR", types.last == "IEND", header.count == 13 else {
            throw PNGDecodingError.badChunkOrder(types)
        }
        width = Int(Self.bigEndian(header, at: 0))
        height = Int(Self.bigEndian(header, at: 4))
        bitDepth = Int(header[8])
        colorType = Int(header[9])
        chunkTypes = types
        guard bitDepth == 8, colorType == 0, header[10] == 0, header[11] == 0, header[12] == 0 else {
            throw PNGDecodingError.unsupported("bit depth \(bitDepth), colour type \(colorType), methods \(header[10...])")
        }
        let scanlines = try Self.inflateStored(compressed)
        guard scanlines.count == height * (width + 1) else {
            throw PNGDecodingError.wrongDataSize(expected: height * (width + 1), actual: scanlines.count)
        }
        var pixels: [UInt8] = []
        for row in 0..<height {
            let start = row * (width + 1)
            guard scanlines[start] == 0 else { throw PNGDecodingError.unsupported("filter type \(scanlines[start])") }
            pixels += scanlines[(start + 1)..<(start + 1 + width)]
        }
        self.pixels = pixels
    }

    /// RFC 1950 around RFC 1951 stored blocks: header check, blocks, Adler-32.
    static func inflateStored(_ stream: [UInt8]) throws -> [UInt8] {
        guard stream.count >= 6 else { throw PNGDecodingError.truncated(at: 0) }
        let (cmf, flg) = (Int(stream[0]), Int(stream[1]))
        guard cmf & 0x0F == 8, (cmf * 256 + flg) % 31 == 0, flg & 0x20 == 0 else {
            throw PNGDecodingError.badZlibHeader(cmf: stream[0], flg: stream[1])
        }
        var position = 2, output: [UInt8] = []
        while true {
            guard position + 5 <= stream.count else { throw PNGDecodingError.truncated(at: position) }
            let blockHeader = stream[position]
            guard (blockHeader >> 1) & 3 == 0 else {
                throw PNGDecodingError.unsupported("deflate block type \((blockHeader >> 1) & 3)")
            }
            let length = Int(stream[position + 1]) | Int(stream[position + 2]) << 8
            let complement = Int(stream[position + 3]) | Int(stream[position + 4]) << 8
            guard length ^ complement == 0xFFFF else { throw PNGDecodingError.badStoredLength(at: position) }
            guard position + 5 + length <= stream.count else { throw PNGDecodingError.truncated(at: position) }
            output += stream[(position + 5)..<(position + 5 + length)]
            position += 5 + length
            if blockHeader & 1 == 1 { break }
        }
        guard position + 4 == stream.count else { throw PNGDecodingError.truncated(at: position) }
        let stored = bigEndian(stream, at: position)
        let computed = adler32(output)
        guard stored == computed else { throw PNGDecodingError.badAdler32(stored: stored, computed: computed) }
        return output
    }

    /// CRC-32 one bit at a time, straight from the polynomial (PNG specification, annex D).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
        }
        return ~crc
    }

    /// Adler-32 from its definition (RFC 1950 §8.2), reducing after every byte.
    public static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (offset..<(offset + 4)).reduce(0) { $0 << 8 | UInt32(bytes[$1]) }
    }
}

public enum PNGDecodingError: Error, Equatable {
    case badSignature
    case truncated(at: Int)
    case badCRC(chunk: String, stored: UInt32, computed: UInt32)
    case bytesAfterEnd(count: Int)
    case badChunkOrder([String])
    case unsupported(String)
    case wrongDataSize(expected: Int, actual: Int)
    case badZlibHeader(cmf: UInt8, flg: UInt8)
    case badStoredLength(at: Int)
    case badAdler32(stored: UInt32, computed: UInt32)
}
