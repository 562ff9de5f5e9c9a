import Foundation

/// The memory this process may use: the machine's physical memory, or its control group's
/// limit when that is lower (a container, a batch job's allocation), where going beyond it
/// gets the process killed.
public enum MachineMemory {
    public static var bytes: Int {
        [physical, controlGroupLimit].compactMap { $0 }.min() ?? physical
    }

    static var physical: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The lowest limit on this process's control group and its parents (cgroup v2
    /// `memory.max`, v1 `memory.limit_in_bytes`), nil when there is none.
    static var controlGroupLimit: Int? {
        guard let membership = contents(of: "/proc/self/cgroup") else { return nil }
        var limits: [Int] = []
        for line in membership.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let (controllers, group) = (fields[1], String(fields[2]))
            if controllers.isEmpty {
                limits += limitsUpward(from: group, root: "/sys/fs/cgroup", file: "memory.max")
            } else if controllers.split(separator: ",").contains("memory") {
                limits += limitsUpward(from: group, root: "/sys/fs/cgroup/memory", file: "memory.limit_in_bytes")
            }
        }
        return limits.min()
    }

    /// The limits in `file` of the group and each parent below `root` ("max" and v1's
    /// near-2⁶³ "unlimited" read as none).
    private static func limitsUpward(from group: String, root: String, file: String) -> [Int] {
        var components = group.split(separator: "/").map(String.init)
        var limits: [Int] = []
        while true {
            let directory = ([root] + components).joined(separator: "/")
            if let text = contents(of: "\(directory)/\(file)"),
               let limit = Int(text.filter { !$0.isWhitespace }), limit < Int.max / 2 {
                limits.append(limit)
            }
            guard !components.isEmpty else { return limits }
            components.removeLast()
        }
    }

    /// A small file of the kernel's (a few lines), read without Foundation's file machinery.
    private static func contents(of path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(descriptor, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
    }
}
