import BlockNMF
import Dispatch
import FileStorage
import Foundation

/// SIGINT, SIGTERM and SIGUSR1.
///
/// A run with a checkpoint is asked to stop at its next consistent point: it saves a
/// checkpoint and exits with 128 + the signal's number (`CommandFailure`). A second
/// signal, or any signal to a run without a checkpoint, ends the process the shell's
/// way (status 128 + signal) after removing the output file under construction, so an
/// interrupted run leaves nothing behind but its last checkpoint. The signals are taken
/// on a dispatch queue, outside signal context, while the computation goes on on its
/// own threads; `_exit` skips the libraries' exit handlers, which must not run while a
/// worker is inside them.
enum InterruptHandling {
    private static let graceful = GracefulStop()

    static func install() -> [any DispatchSourceSignal] {
        [(SIGINT, "interrupted"), (SIGTERM, "terminated"), (SIGUSR1, "stopped by SIGUSR1")].map { number, word in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if let request = graceful.takeForSignal() {
                    request.stop(.signal(number))
                    printToStandardError("blocknmf: \(word); saving a checkpoint (signal again to stop at once)")
                    return
                }
                TemporaryFiles.removeAll()
                printToStandardError("blocknmf: \(word); no output written")
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// The first signal from now on asks `request` to stop instead of ending the process.
    static func stopGracefully(_ request: StopRequest) { graceful.set(request) }
}

/// The run to stop gracefully, given to the first signal only.
private final class GracefulStop: @unchecked Sendable {
    private let lock = NSLock()
    private var request: StopRequest?

    func set(_ request: StopRequest) {
        lock.lock()
        self.request = request
        lock.unlock()
    }

    func takeForSignal() -> StopRequest? {
        lock.lock()
        defer { lock.unlock() }
        defer { request = nil }
        return request
    }
}
