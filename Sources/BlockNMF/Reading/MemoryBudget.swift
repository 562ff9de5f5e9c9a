#if canImport(Glibc)
import Glibc
#endif

/// How much memory a run may use for V's buffers, e.g. `2GiB`, `512MiB`, `1.5G`.
///
/// W (m×k), H (k×n) and small per-tile products come on top: the budget is what
/// grows with the data, and it is set here rather than by the size of V.
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) { self.bytes = bytes }

    /// A quarter of the machine's memory (`MachineMemory`: physical, or the control group's
    /// limit when lower).
    public static var `default`: MemoryBudget {
        MemoryBudget(bytes: MachineMemory.bytes / 4)
    }

    public static var physicalMemory: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Parses a size with an optional binary (KiB, MiB, GiB, TiB) or decimal (K, M, G, T,
    /// KB, MB, GB, TB) unit; a bare number is bytes.
    public init?(parsing text: String) {
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
            ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("B", 1),
        ]
        let trimmed = text.trimmingCharacters(in: " ")
        var number = Substring(trimmed), scale = 1.0
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number.trimmingCharacters(in: " ")), value > 0,
              value * scale < Double(Int.max / 2) else {
            return nil
        }
        self.init(bytes: Int(value * scale))
    }

    public var description: String { Self.format(bytes) }

    /// A whole number of MiB (or GiB) no smaller than `bytes`, spelled as `--memory` accepts it.
    public static func suggestion(atLeast bytes: Int) -> String {
        let mebibytes = (bytes + 1_048_575) / 1_048_576
        return mebibytes % 1024 == 0 ? "\(mebibytes / 1024)GiB" : "\(mebibytes)MiB"
    }

    /// A whole number of MiB no larger than `bytes` (at least 1 MiB), spelled as `--memory` accepts it.
    public static func suggestion(atMost bytes: Int) -> String {
        "\(max(1, bytes / 1_048_576))MiB"
    }

    public static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes), index = 0
        while value >= 1024, index < units.count - 1 { value /= 1024; index += 1 }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? "\(Int(rounded)) \(units[index])" : "\(rounded) \(units[index])"
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
