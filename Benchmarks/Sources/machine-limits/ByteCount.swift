/// A size in bytes as people write it on a command line: `4GiB`, `512MiB`, `10GB`, `4096`.
struct ByteCount: Equatable, Sendable {
    let bytes: Int

    init(bytes: Int) { self.bytes = bytes }

    private static let units: [(suffix: String, factor: Int)] = [
        ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10),
        ("TB", 1_000_000_000_000), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000),
        ("B", 1),
    ]

    init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace()
        let unit = Self.units.first { trimmed.hasSuffix($0.suffix) } ?? ("", 1)
        let number = String(trimmed.dropLast(unit.suffix.count)).trimmingWhitespace()
        guard let value = Int(number), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit.factor)
        guard !overflow else { return nil }
        self.bytes = bytes
    }

    /// Binary units, the way page caches and RAM are sized.
    var readable: String {
        let value = Double(bytes)
        for (suffix, factor) in Self.units where suffix.hasSuffix("iB") && bytes >= factor {
            return "\(Double(Int(value / Double(factor) * 10)) / 10) \(suffix)"
        }
        return "\(bytes) B"
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
