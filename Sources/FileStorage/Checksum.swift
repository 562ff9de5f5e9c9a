/// A 64-bit checksum of a byte stream, the same however the stream is cut into
/// pieces: what checkpoints record to tell a damaged or truncated file from a good one.
///
/// Each 8-byte little-endian word goes through a multiply–rotate round into the
/// state; the length and a final avalanche make reordered, shortened or extended
/// streams disagree. It detects accidents (truncation, torn writes, flipped bits),
/// not deliberate tampering.
public struct Checksum: Sendable, Equatable {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    private var state: UInt64 = 0x27D4_EB2F_1656_67C5
    private var length: UInt64 = 0
    /// Bytes of an incomplete word, low byte first, and how many.
    private var pendingWord: UInt64 = 0
    private var pendingCount = 0

    public init() {}

    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var index = 0
        while pendingCount != 0 && index < bytes.count {
            addPendingByte(bytes[index])
            index += 1
        }
        let wholeWords = (bytes.count - index) / 8
        var state = self.state
        for word in 0..<wholeWords {
            let value = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 8 * word, as: UInt64.self))
            state = Self.round(state, value)
        }
        self.state = state
        index += 8 * wholeWords
        while index < bytes.count {
            addPendingByte(bytes[index])
            index += 1
        }
    }

    public mutating func add<Element: BitwiseCopyable>(_ elements: [Element]) {
        elements.withUnsafeBytes { add($0) }
    }

    public mutating func add<Element: BitwiseCopyable>(_ elements: ArraySlice<Element>) {
        elements.withUnsafeBytes { add($0) }
    }

    public var value: UInt64 {
        var state = self.state
        if pendingCount > 0 { state = Self.round(state, pendingWord ^ UInt64(pendingCount) << 56) }
        state ^= length &* Self.prime3
        state ^= state >> 33
        state &*= Self.prime2
        state ^= state >> 29
        state &*= Self.prime3
        state ^= state >> 32
        return state
    }

    /// The value as 16 hexadecimal digits, as files record it.
    public var hexadecimal: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private mutating func addPendingByte(_ byte: UInt8) {
        pendingWord |= UInt64(byte) << (8 * UInt64(pendingCount))
        pendingCount += 1
        if pendingCount == 8 {
            state = Self.round(state, pendingWord)
            pendingWord = 0
            pendingCount = 0
        }
    }

    private static func round(_ state: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = state ^ ((word &* prime2).rotatedLeft(by: 31) &* prime1)
        return mixed.rotatedLeft(by: 27) &* prime1 &+ prime3
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
