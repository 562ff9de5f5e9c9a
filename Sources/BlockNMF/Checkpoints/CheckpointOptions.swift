/// How a factorization keeps checkpoints so that a killed or stopped run can resume
/// and end with exactly the W and H an uninterrupted run gives.
public struct CheckpointOptions: Sendable, Equatable {
    /// Holds the state file and W's two buffers; created when missing.
    public var directory: String
    public var interval: CheckpointInterval
    /// Discard an existing checkpoint instead of resuming from it.
    public var restart: Bool
    /// Keep the directory after success (with the final state, so a rerun with a higher
    /// `maxIterations` continues from it).
    public var keep: Bool

    public static let defaultInterval = CheckpointInterval.seconds(300)

    public init(directory: String, interval: CheckpointInterval = CheckpointOptions.defaultInterval,
                restart: Bool = false, keep: Bool = false) {
        self.directory = directory
        self.interval = interval
        self.restart = restart
        self.keep = keep
    }
}

/// Every so many iterations, or every so much wall-clock time.
public enum CheckpointInterval: Sendable, Equatable, CustomStringConvertible {
    case iterations(Int)
    case seconds(Double)

    /// `25` (iterations) or a duration such as `10m`, `90s`, `1h30m`.
    public init?(parsing text: String) {
        if let count = Int(text) {
            guard count >= 1 else { return nil }
            self = .iterations(count)
        } else if let seconds = WallClockDuration.usableSeconds(parsing: text) {
            self = .seconds(seconds)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .iterations(let count): "every \(count) iteration\(count == 1 ? "" : "s")"
        case .seconds(let seconds): "every \(WallClockDuration.format(seconds))"
        }
    }
}

/// Durations as people write them for batch jobs.
public enum WallClockDuration {
    /// Whether a limit or an interval can be `seconds` long: more than nothing (not NaN).
    public static func isUsable(_ seconds: Double) -> Bool { seconds > 0 }

    /// `seconds(parsing:)`, when it is usable for a limit or an interval.
    public static func usableSeconds(parsing text: String) -> Double? {
        seconds(parsing: text).flatMap { isUsable($0) ? $0 : nil }
    }

    /// `3h50m`, `10m`, `90s`, `1.5h`, `2d`, or Slurm's `[D-]HH:MM:SS` / `MM:SS`.
    public static func seconds(parsing text: String) -> Double? {
        if text.contains(":") { return colonSeparated(text) }
        let units: [Character: Double] = ["d": 86400, "h": 3600, "m": 60, "s": 1]
        var total = 0.0, number = "", sawUnit = false
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
            } else if let unit = units[character], let value = Double(number), value >= 0 {
                total += value * unit
                number = ""
                sawUnit = true
            } else {
                return nil
            }
        }
        return sawUnit && number.isEmpty ? total : nil
    }

    /// Whole hours, minutes and seconds (`3h50m`); a duration under 10 s that is not whole
    /// keeps its hundredths (`0.15s`), so a short limit is not told as `0s`.
    public static func format(_ seconds: Double) -> String {
        if seconds < 10, seconds != seconds.rounded() {
            let hundredths = (seconds * 100).rounded() / 100
            return "\(hundredths > 0 ? hundredths : seconds)s"
        }
        let whole = Int(seconds.rounded())
        let (hours, minutes, rest) = (whole / 3600, whole % 3600 / 60, whole % 60)
        var text = ""
        if hours > 0 { text += "\(hours)h" }
        if minutes > 0 { text += "\(minutes)m" }
        if rest > 0 || text.isEmpty { text += "\(rest)s" }
        return text
    }

    private static func colonSeparated(_ text: String) -> Double? {
        var days = 0.0, clock = Substring(text)
        if let dash = text.firstIndex(of: "-") {
            guard let value = Double(text[..<dash]) else { return nil }
            days = value
            clock = text[text.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        let values = parts.map { $0! }
        let seconds = values.count == 3 ? values[0] * 3600 + values[1] * 60 + values[2] : values[0] * 60 + values[1]
        return days * 86400 + seconds
    }
}
