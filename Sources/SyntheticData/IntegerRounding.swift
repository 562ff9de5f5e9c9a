import NMFKernels

/// How a generated value becomes an integer in the file: `round(value · scale)`, halves
/// away from zero, saturated at the type's maximum. Generated values are never negative, so
/// no lower bound is needed.
struct IntegerRounding<Stored: FixedWidthInteger> {
    let scale: Double
    /// The largest Double not above `Stored.max`: 64-bit maxima are not representable.
    private let limit = Double(exactly: Stored.max) ?? Double(Stored.max).nextDown

    init(scale: Double) {
        self.scale = scale
    }

    /// The rounded values and how many of them were above `Stored.max` and saturated.
    func round<T: NMFScalar>(_ values: [T]) -> (values: [Stored], saturated: Int) {
        var saturated = 0
        let rounded = values.map { value -> Stored in
            let scaled = (Double(value) * scale).rounded()
            guard scaled <= limit else {
                saturated += 1
                return Stored.max
            }
            return Stored(scaled)
        }
        return (rounded, saturated)
    }
}
