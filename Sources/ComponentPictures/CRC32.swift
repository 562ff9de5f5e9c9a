/// The CRC-32 of PNG chunks (and of zlib's gzip, Ethernet): polynomial 0x04C11DB7
/// reflected (0xEDB88320), initial value and final XOR 0xFFFFFFFF. The check value of
/// the ASCII bytes "123456789" is 0xCBF43926.
struct CRC32 {
    /// The CRC of every byte value, so a byte costs one lookup instead of eight shifts.
    private static let table: [UInt32] = (0..<256).map { byte in
        var remainder = UInt32(byte)
        for _ in 0..<8 {
            remainder = remainder & 1 == 1 ? 0xEDB8_8320 ^ (remainder >> 1) : remainder >> 1
        }
        return remainder
    }

    private var state: UInt32 = 0xFFFF_FFFF

    init() {}

    mutating func add<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var state = self.state
        for byte in bytes {
            state = Self.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
        }
        self.state = state
    }

    var value: UInt32 { state ^ 0xFFFF_FFFF }

    static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32()
        crc.add(bytes)
        return crc.value
    }
}
