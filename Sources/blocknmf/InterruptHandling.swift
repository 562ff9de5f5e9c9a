import BlockNMF
import Dispatch
import Foundation

/// SIGINT and SIGTERM end the run the shell's way (status 128 + signal) after
/// removing the output file under construction, so an interrupted run leaves
/// nothing behind. The signals are taken on a dispatch queue, outside signal
/// context, while the computation goes on on its own threads; `_exit` skips the
/// libraries' exit handlers, which must not run while a worker is inside them.
enum InterruptHandling {
    static func install() -> [any DispatchSourceSignal] {
        [(SIGINT, "interrupted"), (SIGTERM, "terminated")].map { number, word in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                TemporaryFiles.removeAll()
                printToStandardError("blocknmf: \(word); no output written")
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }
}
