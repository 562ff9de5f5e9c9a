import Foundation
import NMFKernels

/// `anls`'s extrapolation of H between iterations, with a safeguarded restart (Ang &
/// Gillis, "Accelerating nonnegative matrix factorization algorithms using extrapolation",
/// Neural Computation 31, 2019): the next pass solves W against Ĥ = max(0, H + β·(H − H₋))
/// instead of H. An iteration whose objective rose restarts: the next pass starts from its
/// own H, β shrinks and its ceiling drops to the β that failed; every other iteration
/// lets β and the ceiling grow. Only H (k×n) is extrapolated, so it costs no pass and no
/// memory in proportion to V.
///
/// The iterate (W, H) stays the exact alternating solution: W solved against Ĥ, H against
/// that W. Its error comes from the pass's sums as without extrapolation, and is what the
/// safeguard compares.
struct HExtrapolation<T: NMFScalar>: Sendable {
    /// β of the first extrapolation, and the factors it is divided by after a rise (η)
    /// and grows by otherwise (γ; γ̄ for the ceiling), as in the paper.
    static var initialBeta: Double { 0.5 }
    static var shrink: Double { 1.5 }
    static var growth: Double { 1.05 }
    static var ceilingGrowth: Double { 1.01 }

    /// The H the next pass starts from, when it is not the iterate's (Ĥ).
    var start: Matrix<T>?
    var beta = initialBeta
    var ceiling = 1.0
    /// The objective of the previous iterate (infinity before the first).
    var previousObjective = Double.infinity

    /// After an iteration that went from `previous` to `h` with this objective.
    mutating func advance(from previous: Matrix<T>, to h: Matrix<T>, objective: Double) {
        defer { previousObjective = objective }
        if objective > previousObjective {
            ceiling = beta
            beta /= Self.shrink
            start = nil
            return
        }
        let step = T(beta)
        start = Matrix(rows: h.rows, columns: h.columns, elements: zip(h.elements, previous.elements).map { now, before in
            max(0, now + step * (now - before))
        })
        ceiling = min(1, Self.ceilingGrowth * ceiling)
        beta = min(ceiling, Self.growth * beta)
    }
}

/// An `HExtrapolation` as a checkpoint stores it: the numbers bit for bit, Ĥ as its
/// element bytes.
struct SavedExtrapolation: Codable, Sendable {
    var start: Data?
    var beta: ExactDouble
    var ceiling: ExactDouble
    var previousObjective: ExactDouble
}

extension HExtrapolation {
    var saved: SavedExtrapolation {
        SavedExtrapolation(start: start.map { Data($0.elementBytes) }, beta: ExactDouble(beta),
                           ceiling: ExactDouble(ceiling), previousObjective: ExactDouble(previousObjective))
    }

    /// Nil when the saved Ĥ does not have H's shape.
    init?(_ saved: SavedExtrapolation, components k: Int, columns n: Int) {
        if let bytes = saved.start {
            guard let start = Matrix<T>(rows: k, columns: n, elementBytes: [UInt8](bytes)) else { return nil }
            self.start = start
        }
        (beta, ceiling, previousObjective) = (saved.beta.value, saved.ceiling.value, saved.previousObjective.value)
    }
}
