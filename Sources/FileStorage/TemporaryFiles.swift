import Foundation

/// Files being written that must not outlive an interrupted run: an output under
/// construction and its private directory until it is renamed into place. A signal
/// handler calls `removeAll` before the process exits.
public enum TemporaryFiles {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        /// In the order registered: a directory before the files in it.
        var paths: [String] = []
    }

    private static let registry = Registry()

    static func register(_ path: String) {
        registry.lock.lock()
        registry.paths.append(path)
        registry.lock.unlock()
    }

    static func unregister(_ path: String) {
        registry.lock.lock()
        registry.paths.removeAll { $0 == path }
        registry.lock.unlock()
    }

    /// Deletes every registered file and directory, the files in a directory first.
    public static func removeAll() {
        registry.lock.lock()
        let paths = registry.paths
        registry.paths.removeAll()
        registry.lock.unlock()
        for path in paths.reversed() { remove(path) }
    }
}
