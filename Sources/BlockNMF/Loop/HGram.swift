import NMFKernels

/// H·Hᵀ of the H a pass works with, twice: in T for the tiles' W updates, which run at T's
/// speed, and in Double for the loss identity beside the pass's sums, which are Double
/// (`FrobeniusStatistics`).
struct HGram<T: NMFScalar>: Sendable {
    let inT: Matrix<T>
    let inDouble: Matrix<Double>

    init(_ h: Matrix<T>) {
        inT = h.gram(of: .rows)
        inDouble = h.converted(to: Double.self).gram(of: .rows)
    }
}
