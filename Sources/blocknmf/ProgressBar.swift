import BlockNMF
import Foundation
import SyntheticData

/// Shows how many rows a generation has written, on stderr.
///
/// On a terminal it is one line redrawn at most four times a second. Anywhere else (a log
/// file, a scheduler's output) redrawing would pile up, so it prints a line per tenth done.
final class ProgressBar {
    private static let width = 30
    private static let redrawInterval = 0.25
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastDrawSeconds = -Double.infinity
    private var tenthsReported = 0
    private var lineOpen = false

    func update(_ progress: GenerationProgress) {
        let done = progress.rowsWritten == progress.rows
        let text = "\(percent(progress))%  \(progress.rowsWritten)/\(progress.rows) rows  "
            + "\(formatted(progress.elapsedSeconds, digits: 2)) s"
        if isTerminal {
            guard done || progress.elapsedSeconds - lastDrawSeconds >= Self.redrawInterval else { return }
            lastDrawSeconds = progress.elapsedSeconds
            let filled = progress.rowsWritten * Self.width / max(progress.rows, 1)
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: Self.width - filled)
            write("\r[\(bar)] \(text)")
            lineOpen = true
        } else {
            let tenths = progress.rowsWritten * 10 / max(progress.rows, 1)
            guard tenths > tenthsReported else { return }
            tenthsReported = tenths
            write(text + "\n")
        }
    }

    /// Ends a redrawn line, so what is printed next starts on a line of its own.
    func finish() {
        if lineOpen { write("\n") }
        lineOpen = false
    }

    private func percent(_ progress: GenerationProgress) -> Int {
        progress.rowsWritten * 100 / max(progress.rows, 1)
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
