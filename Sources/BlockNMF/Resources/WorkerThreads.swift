#if canImport(Glibc)
import Glibc
#endif

/// The threads that compute on tiles of V (`factor`, `transform`); results do not depend
/// on their number.
public enum WorkerThreads {
    /// One worker per core.
    public static var `default`: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    static func check(_ threads: Int) throws(NMFError) {
        guard threads >= 1 else {
            throw NMFError.invalidParameter(name: "threads", value: "\(threads)", requirement: "must be at least 1")
        }
    }
}
