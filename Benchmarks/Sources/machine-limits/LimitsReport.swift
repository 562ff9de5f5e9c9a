import Foundation

/// Everything one run measured, as printed in the table and in `--json`.
struct LimitsReport: Codable, Sendable {
    struct Settings: Codable, Sendable {
        let workers: Int
        let rowBlock: RowBlockDimensions
        let squareOrder: Int
        let minimumTrialSeconds: Double
        let trials: Int
        let statistic: String
    }

    let machine: MachineDescription
    let settings: Settings
    var products: [ProductRate] = []
    var memory: [BandwidthRate] = []
    var disk: DiskReadReport?

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        var lines: [String] = []
        lines.append("machine")
        lines.append("  cpu         \(machine.cpuModel), \(machine.availableCores) of \(machine.logicalCores) cores available")
        lines.append("  memory      \(ByteCount(bytes: Int(machine.memoryBytes)).readable), last-level cache "
                     + (machine.lastLevelCacheBytes.map { ByteCount(bytes: $0).readable } ?? "unknown"))
        lines.append("  system      \(machine.operatingSystem), load average at start "
                     + (machine.loadAverage.map { fixed($0, 2) } ?? "unknown"))
        lines.append("  OpenBLAS    \(machine.openBLASConfig) (core \(machine.openBLASCore), "
                     + "\(machine.openBLASDefaultThreads) threads by default; 1 per worker here)")
        lines.append("  figures     \(settings.statistic)")

        if !products.isEmpty {
            lines.append("")
            lines.append(row(["products", "precision", "workers", "GFLOP/s", "best", "V GB/s"],
                             widths: [44, 9, 7, 9, 9, 8]))
            for rate in products {
                lines.append(row([rate.product, rate.precision, "\(rate.workers)", fixed(rate.gflops.median),
                                  fixed(rate.gflops.best), rate.inputGBps.map { fixed($0.median, 2) } ?? ""],
                                 widths: [44, 9, 7, 9, 9, 8]))
            }
        }
        if let first = memory.first {
            lines.append("")
            lines.append(row(["memory (3 × \(ByteCount(bytes: first.arrayBytes).readable) arrays)", "", "workers",
                              "GB/s", "best"], widths: [44, 9, 7, 9, 9]))
            for rate in memory {
                lines.append(row([rate.kernel, "", "\(rate.workers)", fixed(rate.gbps.median, 2),
                                  fixed(rate.gbps.best, 2)], widths: [44, 9, 7, 9, 9]))
            }
        }
        if let disk {
            lines.append("")
            lines.append("disk: sequential read of \(disk.file), \(ByteCount(bytes: disk.fileBytes).readable) "
                         + "in \(ByteCount(bytes: disk.readBlockBytes).readable) blocks")
            lines.append(row(["  cold (evicted from the page cache)", "", "", fixed(disk.coldGBps.median, 2),
                              fixed(disk.coldGBps.best, 2)], widths: [44, 9, 7, 9, 9]) + "  GB/s")
            lines.append(row(["  cached", "", "", fixed(disk.cachedGBps.median, 2),
                              fixed(disk.cachedGBps.best, 2)], widths: [44, 9, 7, 9, 9]) + "  GB/s")
            lines.append("  pages cached after eviction \(fixed(disk.residentAfterEviction * 100, 1)) %, "
                         + "before the cached reads \(fixed(disk.residentBeforeCachedRead * 100, 1)) %: eviction "
                         + (disk.evictionWorked ? "worked (cold ≪ cached)" : "DID NOT clearly work; cold figures may be cached reads"))
        }
        return lines.joined(separator: "\n")
    }

    private func row(_ cells: [String], widths: [Int]) -> String {
        zip(cells, widths).enumerated().map { index, pair in
            let (cell, width) = pair
            let padding = String(repeating: " ", count: max(0, width - cell.count))
            // Text left-aligned, numbers right-aligned.
            return index == 0 ? cell + padding : padding + cell
        }.joined(separator: " ")
    }

    private func fixed(_ value: Double, _ decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
