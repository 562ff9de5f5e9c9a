import BlockNMF
import Foundation

func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// A number with `digits` significant digits, as C's `%g` gives it.
func formatted(_ value: Double, digits: Int = 6) -> String {
    String(format: "%.\(digits)g", value)
}

/// A progress callback printing every `interval`-th iteration (and the first) on stderr.
func progressPrinter(every interval: Int) -> (IterationProgress) -> Void {
    { step in
        guard step.iteration % interval == 0 || step.iteration == 1 else { return }
        printToStandardError("iteration \(step.iteration)/\(step.maxIterations)  "
            + "error \(formatted(step.reconstructionError))  \(formatted(step.elapsedSeconds, digits: 2)) s")
    }
}
