import NMFKernels

/// What every step knows of the fit around it: the data's constants, the loss, the
/// iteration limit, and how progress is told.
struct StepContext: Sendable {
    /// ‖V‖²_F, from the validating scan.
    let dataSquaredNorm: Double
    let loss: BetaLoss
    let maxIterations: Int
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
