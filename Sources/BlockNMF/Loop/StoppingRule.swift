/// scikit-learn's stopping rule for each solver.
///
/// - `cd` (and `hals`): stop when the projected-gradient violation of an iteration falls to
///   `tol` times that of the first iteration (or the first is already 0).
/// - `mu`: every 10 iterations, stop when the error dropped by less than `tol`
///   times the initial error since the previous check. `tol = 0` never stops early.
/// - `anls`: from the second iteration on, stop when scikit-learn's objective (½‖V − WH‖² and
///   the penalties, `ANLSFit`) fell by less than `tol` relative to the previous iteration's.
///   A rise is not a stop: it is an extrapolation overshooting (`HExtrapolation`), after which
///   the next pass restarts from the iterate. `tol = 0` never stops early. The step hands the
///   objective in as the `violation`.
struct StoppingRule: Sendable {
    let solver: Solver
    let tolerance: Double
    /// `anls`: the objective is compared with the one this many iterations before. 1 for a fit;
    /// more for the fit on `RowSample`'s rows, never checkpointed, which single iterations with
    /// their extrapolation's restarts do not judge well.
    let window: Int
    /// `anls` with a window over 1: the objectives of the last `window` iterations.
    private var recentObjectives: [Double] = []
    private var initialViolation: Double?
    /// `mu`: the error at the previous check; `anls`: the previous iteration's objective.
    private var previousError: Double?
    /// What the rule last compared with the tolerance (none yet after a resume).
    private(set) var lastTest: StoppingTest?

    init(solver: Solver, tolerance: Double, window: Int = 1) {
        self.solver = solver
        self.tolerance = tolerance
        self.window = window
    }

    /// The rule is asked at every `cadence`-th iteration: each for `cd` and `hals`, every
    /// 10th for `mu`, whose error a β-divergence step therefore evaluates there.
    var cadence: Int {
        switch solver {
        case .cd, .hals, .anls: 1
        case .mu: 10
        }
    }

    mutating func isSatisfied(iteration: Int, violation: Double, error: Double,
                              initialError: Double) -> Bool {
        switch solver {
        case .cd, .hals:
            let reference = initialViolation ?? violation
            initialViolation = reference
            let ratio = reference == 0 ? 0 : violation / reference
            lastTest = StoppingTest(quantity: .violationRatio, value: ratio, iteration: iteration, tolerance: tolerance)
            return reference == 0 || ratio <= tolerance
        case .mu:
            guard iteration % cadence == 0 else { return false }
            let previous = previousError ?? initialError
            previousError = error
            let decrease = (previous - error) / initialError
            lastTest = StoppingTest(quantity: .errorDecrease, value: decrease, iteration: iteration, tolerance: tolerance)
            return tolerance > 0 && decrease < tolerance
        case .anls:
            // The objective of the initial factors is not known (W₀'s L1 term needs a sum the
            // first pass does not form), so the first comparison is at iteration 2.
            let objective = violation
            let earlier: Double?
            if window > 1 {
                recentObjectives.append(objective)
                earlier = recentObjectives.count > window ? recentObjectives.removeFirst() : nil
            } else {
                earlier = previousError
                previousError = objective
            }
            guard let previous = earlier else {
                lastTest = StoppingTest(quantity: .objectiveDecrease, value: .infinity, iteration: iteration,
                                        tolerance: tolerance)
                return false
            }
            let decrease = previous == 0 ? 0 : (previous - objective) / previous
            lastTest = StoppingTest(quantity: .objectiveDecrease, value: decrease, iteration: iteration,
                                    tolerance: tolerance)
            return tolerance > 0 && decrease >= 0 && decrease < tolerance
        }
    }
}

/// The quantity a solver's stopping rule compares with `--tol`, where it last did.
public struct StoppingTest: Sendable, Equatable {
    public enum Quantity: String, Sendable {
        /// `cd`, `hals`: the projected-gradient violation over the first iteration's; stops at ≤ tol.
        case violationRatio
        /// `mu`: the error's decrease since the previous check (10 iterations before) over
        /// the initial error; stops at < tol.
        case errorDecrease
        /// `anls`: the objective's decrease over the previous iteration's objective; stops at ≥ 0 and < tol.
        case objectiveDecrease
    }

    public let quantity: Quantity
    public let value: Double
    /// The iteration it was measured at (every one for `cd` and `hals`, every 10th for `mu`).
    public let iteration: Int
    public let tolerance: Double
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
