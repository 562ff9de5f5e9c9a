import BlockNMF
import NMFKernels
import Foundation

func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// "1 thread", "2 threads": a count with its noun in the number it takes.
func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}

/// The blocks a plan reads, and `--block-rows` as given when the plan made it whole tiles
/// (or no more than V's `rows`).
func blocksDescription(_ plan: StreamPlan, rows: Int) -> String {
    let blocks = "\(plan.blockRows)-row blocks"
    guard let asked = plan.requestedBlockRows, asked != plan.blockRows else { return blocks }
    if asked > plan.blockRows && plan.blockRows >= rows {
        return "\(blocks): --block-rows \(asked) cut to V's \(counted(rows, "row")) in whole tiles"
    }
    return "\(blocks): --block-rows \(asked) in whole tiles"
}

/// `data.h5:/X (1000×20, float32)`: the data a summary line begins with.
func dataDescription(_ input: String, _ dataset: String, _ rows: Int, _ columns: Int, _ storedType: String) -> String {
    "\(input):\(dataset) (\(rows)×\(columns), \(storedType))"
}

/// How a fit or a transform ended, as `factor` and `transform` say it: `relative error 0.0123,
/// reconstruction error 4.56, 50 iterations, converged, 1.23 s` (`loss LOSS, …` for a β-divergence).
func outcomeDescription(_ report: FitReport, relativeError: Double?, loss: BetaLoss) -> String {
    (relativeError.map { "relative error \(formatted($0)), " } ?? "loss \(loss), ")
        + "reconstruction error \(formatted(report.reconstructionError)), "
        + "\(counted(report.iterations, "iteration")), "
        + "\(report.converged ? "converged" : "not converged (max-iter reached)"), "
        + "\(formatted(report.elapsedSeconds, digits: 3)) s"
}

/// A number with `digits` significant digits, as C's `%g` gives it.
func formatted(_ value: Double, digits: Int = 6) -> String {
    String(format: "%.\(digits)g", value)
}

/// Progress on stderr: the first iteration, then at most one line a second, and
/// the last. Each line: iteration, relative error, the quantity the stopping rule
/// compares with --tol, seconds per iteration, read throughput, and the time left if
/// every iteration runs.
final class ProgressPrinter: @unchecked Sendable {
    private var lastPrinted = -Double.infinity
    private let interval: Double

    init(interval: Double = 1) { self.interval = interval }

    func report(_ progress: FactorizationProgress) {
        let step = progress.iteration
        guard step.iteration == 1 || step.isLast || step.elapsedSeconds - lastPrinted >= interval else { return }
        lastPrinted = step.elapsedSeconds
        let remaining = Double(step.maxIterations - step.iteration) * step.elapsedSeconds / Double(step.iteration)
        let error = step.relativeError.map { "error \(formatted($0, digits: 5))" }
            ?? "\(step.loss) error \(formatted(step.reconstructionError, digits: 6)) at iteration \(step.errorIteration)"
        var line = "iteration \(step.iteration)/\(step.maxIterations)  \(error)"
            + "  \(stoppingText(step))"
            + "  \(formatted(step.iterationSeconds, digits: 3)) s/it"
        if progress.readSeconds > 0 {
            line += "  read \(formatted(Double(progress.bytesRead) / progress.readSeconds / 1e9, digits: 3)) GB/s"
        }
        line += step.isLast ? "  done" : "  ETA ≤ \(formatted(remaining, digits: 3)) s"
        printToStandardError(line)
    }

    private let clock = ContinuousClock()
    private var rowOrderPrinted: ContinuousClock.Instant?

    /// Putting a column-compressed V in row order, about once a second and when done.
    func report(_ progress: RowOrderProgress) {
        let now = clock.now
        if progress.fraction < 1, let last = rowOrderPrinted, now - last < .seconds(interval) { return }
        rowOrderPrinted = now
        printToStandardError("V is compressed by columns: putting it in row order, \(Int(progress.fraction * 100))% done")
    }

    /// `violation/initial 0.0213 (tol 0.0001)` for cd and hals, checked every iteration;
    /// `decrease/initial 0.00412 at 40 (tol 0.0001)` for mu, checked every 10 iterations;
    /// `decrease/previous 0.00031 (tol 0.0001)` for anls, checked every iteration.
    private func stoppingText(_ step: IterationProgress) -> String {
        guard let test = step.stoppingTest else { return "decrease/initial - (checked every 10 iterations)" }
        let tolerance = "(tol \(formatted(test.tolerance, digits: 3)))"
        switch test.quantity {
        case .violationRatio:
            return "violation/initial \(formatted(test.value, digits: 3)) \(tolerance)"
        case .errorDecrease:
            return "decrease/initial \(formatted(test.value, digits: 3)) at \(test.iteration) \(tolerance)"
        case .objectiveDecrease:
            let value = test.value.isFinite ? formatted(test.value, digits: 3) : "-"
            return "decrease/previous \(value) \(tolerance)"
        }
    }

    func report(_ event: CheckpointEvent) {
        switch event {
        case let .resumed(iteration, rowsDone, rows, maxIterations, directory, skipped):
            for problem in skipped { printToStandardError("checkpoint state \(problem); using an older one") }
            let position = rowsDone > 0 ? "iteration \(iteration + 1) (row \(rowsDone) of \(rows))" : "iteration \(iteration)"
            printToStandardError("resuming at \(position) of \(maxIterations) from \(directory)")
        case let .saved(iteration, rowsDone, seconds, bytes):
            let position = rowsDone > 0 ? "iteration \(iteration + 1) at row \(rowsDone)" : "iteration \(iteration)"
            printToStandardError("checkpoint at \(position) (\(MemoryBudget.format(bytes)) state, \(formatted(seconds, digits: 3)) s)")
        }
    }
}
