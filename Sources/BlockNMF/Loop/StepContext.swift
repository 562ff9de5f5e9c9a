import NMFKernels

/// What every step knows of the fit around it: the data's constants, the loss, W's
/// penalty, the iteration limit and stopping rule's cadence, and how progress is told.
struct StepContext: Sendable {
    /// ‖V‖²_F, from the validating scan.
    let dataSquaredNorm: Double
    /// How far rounding can move a pass's sums, relative to ‖V‖²: a tile's rows of additions
    /// at the working precision's ε (its products), then the tiles' shares at Double's (their
    /// sum, `FrobeniusStatistics`).
    let identityRounding: Double
    let loss: BetaLoss
    /// W's penalty, in every step's W update.
    let wPenalty: Penalty
    let maxIterations: Int
    /// The stopping rule is asked every `cadence`-th iteration (`StoppingRule.cadence`).
    let cadence: Int
    /// Whether the rule may stop the fit early (a positive tolerance).
    let stopsEarly: Bool
    /// Names V in errors.
    let source: String

    func progress(iteration: Int, error: Double, errorIteration: Int, previousError: Double, isLast: Bool,
                  stoppingTest: StoppingTest?) -> IterationProgress {
        IterationProgress(
            iteration: iteration, maxIterations: maxIterations, reconstructionError: error,
            errorIteration: errorIteration, previousError: previousError, dataNorm: dataSquaredNorm.squareRoot(),
            loss: loss, iterationSeconds: 0, elapsedSeconds: 0, isLast: isLast, stoppingTest: stoppingTest)
    }
}
