import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// The single place that interprets HDF5 return codes.
///
/// HDF5 reports failure as a negative `herr_t`, `hid_t`, `htri_t` or `hssize_t`. Every C
/// call in this module goes through `hdf5(_:file:_:)`, which reads HDF5's error stack,
/// clears it so the next failure reports only its own cause, and turns it into a typed
/// error (`HDF5ErrorStack.classified`): a full disk, a file locked by a writer, a truncated
/// or damaged file, or, for anything else, `HDF5StoreError.library` carrying the stack.
/// `file` names the file the call works on, for the errors that must name it; HDF5's own
/// messages name it only for failed reads and writes.
///
/// Thread safety: the serial HDF5 library keeps global state (the error stack among it), so
/// all calls into this module, on any file, must come from one thread at a time.
@discardableResult
func hdf5<Result: BinaryInteger>(_ operation: @autoclosure () -> String, file: String? = nil,
                                 _ call: () -> Result) throws -> Result {
    prepareThread()
    let result = call()
    if result < 0 {
        throw takeErrorStack().classified(operation: operation(), file: file)
    }
    return result
}

/// Runs a call whose negative result is an answer rather than a failure (a query that
/// may fail, e.g. whether a filter can be loaded): nil then, and HDF5's error stack cleared.
func hdf5Query<Result: BinaryInteger>(_ call: () -> Result) -> Result? {
    prepareThread()
    let result = call()
    guard result >= 0 else {
        H5Eclear2(chdf5_e_default())
        return nil
    }
    return result
}

/// Runs once, before the first call: the plugin search path gets Debian's plugin directory
/// (`FilterPlugins`).
private let libraryPrepared: Void = {
    H5open()
    FilterPlugins.prepare()
}()

/// Prepares the library, then the calling thread, before its first call: HDF5 otherwise
/// prints every error stack to stderr, which would duplicate (and interleave with) the
/// errors this module reports. Debian builds HDF5 thread-safe, and a thread-safe HDF5 keeps
/// that setting per thread, so each thread that calls it (the reader thread of a streamed
/// pass too) turns the printing off for itself.
private func prepareThread() {
    _ = libraryPrepared
    guard pthread_getspecific(threadsPrepared) == nil else { return }
    H5Eset_auto2(chdf5_e_default(), nil, nil)
    pthread_setspecific(threadsPrepared, UnsafeRawPointer(bitPattern: 1))
}

/// Set (to a non-nil marker) on each thread `prepareThread` has prepared.
private let threadsPrepared: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// Reads the current error stack (outermost call first) and clears it.
private func takeErrorStack() -> HDF5ErrorStack {
    let stack = H5Eget_current_stack()  // takes a copy and clears the current stack
    guard stack >= 0 else { return HDF5ErrorStack(frames: []) }
    defer { H5Eclose_stack(stack) }

    final class Frames { var entries: [HDF5ErrorStack.Frame] = [] }
    let frames = Frames()
    let walker: H5E_walk2_t = { _, error, context in
        guard let error, let context else { return 0 }
        let frames = Unmanaged<Frames>.fromOpaque(context).takeUnretainedValue()
        frames.entries.append(HDF5ErrorStack.Frame(
            function: error.pointee.func_name.map { String(cString: $0) } ?? "?",
            description: error.pointee.desc.map { String(cString: $0) } ?? "",
            major: errorMessage(error.pointee.maj_num),
            minor: errorMessage(error.pointee.min_num)))
        return 0
    }
    withExtendedLifetime(frames) {
        _ = H5Ewalk2(stack, H5E_WALK_DOWNWARD, walker, Unmanaged.passUnretained(frames).toOpaque())
    }
    return HDF5ErrorStack(frames: frames.entries)
}

private func errorMessage(_ id: hid_t) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let length = H5Eget_msg(id, nil, &buffer, buffer.count)
    guard length > 0 else { return "" }
    return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
