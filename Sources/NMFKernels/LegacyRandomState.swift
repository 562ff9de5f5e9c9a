/// NumPy's legacy `RandomState(seed)` stream: MT19937 seeded by `init_genrand`,
/// doubles with 53 random bits, and Gaussian draws by the polar Box–Muller method
/// that keeps its second value for the next call.
///
/// scikit-learn draws random initial factors, NNDSVDar's fill values and the
/// randomized SVD's test matrix from this stream, so reproducing it draw for
/// draw is what lets a seeded fit here equal a seeded fit there.
public struct LegacyRandomState: Sendable, Equatable, Codable {
    private static let stateLength = 624
    private static let shiftSize = 397

    private var key: [UInt32]
    private var position: Int
    private var cachedGaussian: Double?

    public init(seed: UInt32) {
        var key = [UInt32](repeating: 0, count: Self.stateLength)
        var value = seed
        for index in 0..<Self.stateLength {
            key[index] = value
            value = 1_812_433_253 &* (value ^ (value >> 30)) &+ UInt32(index + 1)
        }
        self.key = key
        position = Self.stateLength
        cachedGaussian = nil
    }

    public mutating func nextUInt32() -> UInt32 {
        if position == Self.stateLength { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// A double uniform on [0, 1) with 53 random bits (`random_sample`).
    public mutating func nextUniform() -> Double {
        let high = Double(nextUInt32() >> 5), low = Double(nextUInt32() >> 6)
        return (high * 67_108_864.0 + low) / 9_007_199_254_740_992.0
    }

    /// A standard normal draw (`standard_normal`).
    public mutating func nextGaussian() -> Double {
        if let cached = cachedGaussian {
            cachedGaussian = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, radiusSquared = 0.0
        repeat {
            x1 = 2.0 * nextUniform() - 1.0
            x2 = 2.0 * nextUniform() - 1.0
            radiusSquared = x1 * x1 + x2 * x2
        } while radiusSquared >= 1.0 || radiusSquared == 0.0
        let factor = (-2.0 * log(radiusSquared) / radiusSquared).squareRoot()
        cachedGaussian = factor * x1
        return factor * x2
    }

    /// `count` standard normal draws in order, as `standard_normal(size=count)` gives.
    public mutating func gaussians(_ count: Int) -> [Double] {
        (0..<count).map { _ in nextGaussian() }
    }

    private mutating func regenerate() {
        let n = Self.stateLength, m = Self.shiftSize
        let upperMask: UInt32 = 0x8000_0000, lowerMask: UInt32 = 0x7fff_ffff
        func twist(_ current: UInt32, _ next: UInt32, _ shifted: UInt32) -> UInt32 {
            let y = (current & upperMask) | (next & lowerMask)
            return shifted ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_b0df)
        }
        for index in 0..<n {
            key[index] = twist(key[index], key[(index + 1) % n], key[(index + m) % n])
        }
        position = 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
