import BlockNMF
import Foundation

func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A number with `digits` significant digits, as C's `%g` gives it.
func formatted(_ value: Double, digits: Int = 6) -> String {
    String(format: "%.\(digits)g", value)
}

/// Progress on stderr: the first iteration, then at most one line a second, and
/// the last. Each line: iteration, relative error, relative change, seconds per
/// iteration, read throughput, and the time left if every iteration runs.
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
            + "  change \(formatted(step.relativeChange, digits: 3))"
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
