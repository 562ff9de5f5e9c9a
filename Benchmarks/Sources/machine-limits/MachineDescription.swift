import CBLAS
import Foundation

/// What the measured figures belong to.
struct MachineDescription: Codable, Sendable {
    let cpuModel: String
    let logicalCores: Int
    let availableCores: Int
    let memoryBytes: UInt64
    let lastLevelCacheBytes: Int?
    let operatingSystem: String
    /// The 1-minute load average when the run started: other work on the cores lowers
    /// every figure, and this says how much there was.
    let loadAverage: Double?
    let openBLASConfig: String
    let openBLASCore: String
    /// OpenBLAS's own thread count before the tool set it to 1 for every measurement.
    let openBLASDefaultThreads: Int

    static func current() -> MachineDescription {
        let process = ProcessInfo.processInfo
        return MachineDescription(
            cpuModel: cpuModel() ?? "unknown",
            logicalCores: process.processorCount,
            availableCores: process.activeProcessorCount,
            memoryBytes: process.physicalMemory,
            lastLevelCacheBytes: lastLevelCacheBytes(),
            operatingSystem: process.operatingSystemVersionString,
            loadAverage: loadAverage(),
            openBLASConfig: String(cString: openblas_get_config()),
            openBLASCore: String(cString: openblas_get_corename()),
            openBLASDefaultThreads: Int(openblas_get_num_threads()))
    }

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func loadAverage() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { Double($0) }
    }

    /// The largest cache of CPU 0, from sysfs (sizes such as "32768K").
    private static func lastLevelCacheBytes() -> Int? {
        let directory = "/sys/devices/system/cpu/cpu0/cache"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        let sizes = entries.filter { $0.hasPrefix("index") }.compactMap { entry -> Int? in
            guard let text = try? String(contentsOfFile: "\(directory)/\(entry)/size", encoding: .utf8) else { return nil }
            return ByteCount(parsing: text.replacingOccurrences(of: "K", with: "KiB")
                                          .replacingOccurrences(of: "M", with: "MiB"))?.bytes
        }
        return sizes.max()
    }
}
