/// The Adler-32 checksum that ends a zlib stream (RFC 1950): two sums modulo 65521,
/// the largest prime below 2¹⁶. "Wikipedia" checks to 0x11E60398.
struct Adler32 {
    private static let modulus: UInt32 = 65521
    /// Bytes that can be summed before the 32-bit sums must be reduced: the largest n with
    /// 255·n·(n+1)/2 + (n+1)·(modulus−1) < 2³² (zlib's NMAX).
    private static let bytesBetweenReductions = 5552

    private var low: UInt32 = 1
    private var high: UInt32 = 0

    init() {}

    mutating func add(_ bytes: [UInt8]) {
        var (low, high) = (self.low, self.high)
        var start = 0
        while start < bytes.count {
            let end = min(start + Self.bytesBetweenReductions, bytes.count)
            for index in start..<end {
                low += UInt32(bytes[index])
                high += low
            }
            low %= Self.modulus
            high %= Self.modulus
            start = end
        }
        (self.low, self.high) = (low, high)
    }

    var value: UInt32 { high << 16 | low }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var adler = Adler32()
        adler.add(bytes)
        return adler.value
    }
}
