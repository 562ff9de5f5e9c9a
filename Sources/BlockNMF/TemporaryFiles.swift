import Foundation

/// Files being written that must not outlive an interrupted run: an output under its
/// temporary name until it is renamed into place. A signal handler calls `removeAll`
/// before the process exits.
public enum TemporaryFiles {
    private final class Registry: @unchecked Sendable {
        let lock = NSLock()
        var paths: Set<String> = []
    }

    private static let registry = Registry()

    static func register(_ path: String) {
        registry.lock.lock()
        registry.paths.insert(path)
        registry.lock.unlock()
    }

    static func unregister(_ path: String) {
        registry.lock.lock()
        registry.paths.remove(path)
        registry.lock.unlock()
    }

    /// Deletes every registered file.
    public static func removeAll() {
        registry.lock.lock()
        let paths = registry.paths
        registry.paths.removeAll()
        registry.lock.unlock()
        for path in paths { unlink(path) }
    }
}
