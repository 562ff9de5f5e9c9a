/// scikit-learn's stopping rule for each solver.
///
/// - `cd` (and `hals`): stop when the projected-gradient violation of an iteration falls to
///   `tol` times that of the first iteration (or the first is already 0).
/// - `mu`: every 10 iterations, stop when the error dropped by less than `tol`
///   times the initial error since the previous check. `tol = 0` never stops early.
struct StoppingRule: Sendable {
    let solver: Solver
    let tolerance: Double
    private var initialViolation: Double?
    private var previousError: Double?

    init(solver: Solver, tolerance: Double) {
        self.solver = solver
        self.tolerance = tolerance
    }

    mutating func isSatisfied(iteration: Int, violation: Double, error: Double,
                              initialError: Double) -> Bool {
        switch solver {
        case .cd, .hals:
            let reference = initialViolation ?? violation
            initialViolation = reference
            if reference == 0 { return true }
            return violation / reference <= tolerance
        case .mu:
            guard tolerance > 0, iteration % 10 == 0 else { return false }
            let previous = previousError ?? initialError
            previousError = error
            return (previous - error) / initialError < tolerance
        }
    }
}

extension StoppingRule {
    /// What the rule has seen so far, as a checkpoint stores it.
    struct Saved: Codable, Sendable {
        var solver: Solver
        var tolerance: ExactDouble
        var initialViolation: ExactDouble?
        var previousError: ExactDouble?
    }

    var saved: Saved {
        Saved(solver: solver, tolerance: ExactDouble(tolerance), initialViolation: initialViolation.map(ExactDouble.init),
              previousError: previousError.map(ExactDouble.init))
    }

    init(_ saved: Saved) {
        self.init(solver: saved.solver, tolerance: saved.tolerance.value)
        initialViolation = saved.initialViolation?.value
        previousError = saved.previousError?.value
    }
}
