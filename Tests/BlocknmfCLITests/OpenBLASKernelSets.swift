import Foundation

/// OpenBLAS's x86-64 kernel sets (the names `OPENBLAS_CORETYPE` takes) whose results the tests
/// check, each with the instructions it needs, as /proc/cpuinfo's flags name them.
enum OpenBLASKernelSets {
    static let requirements: [(name: String, flags: [String])] = [
        ("Prescott", ["pni"]),
        ("Core2", ["ssse3"]),
        ("Penryn", ["sse4_1"]),
        ("Dunnington", ["sse4_1"]),
        ("Nehalem", ["sse4_2"]),
        ("Sandybridge", ["avx"]),
        ("Haswell", ["avx2", "fma"]),
        ("SkylakeX", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
        ("Cooperlake", ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
    ]

    static func runnable(processorFlags: Set<String>) -> [String] {
        requirements.filter { $0.flags.allSatisfy(processorFlags.contains) }.map(\.name)
    }

    /// The sets this machine's processor can run (none where /proc/cpuinfo lists no x86 flags).
    static func runnableHere() throws -> [String] {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return runnable(processorFlags: Set(line[line.index(after: colon)...].split(separator: " ").map(String.init)))
    }
}
