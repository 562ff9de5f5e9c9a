import ArgumentParser
import BlockNMF
import ComponentPictures
import FileStorage
import HDF5Store
import SyntheticData

/// A library error turned into what the shell sees: one line on stderr and an
/// exit status that says what kind of problem it was (the BSD sysexits values).
///
/// | status | meaning |
/// |---|---|
/// | 64 | bad command line (also argument parsing errors), memory budget too small or more than the machine has, --image-shape that is not n pixels |
/// | 65 | bad data: negative, NaN or infinite values, wrong shape or type, a truncated or damaged file, rank too large (for the initialization, or for the machine's memory); a model file without its parameters, or data that does not fit it |
/// | 66 | input missing or unreadable: no such file, not HDF5, no such dataset, a filter HDF5 cannot load, open for writing by another program |
/// | 70 | internal failure (HDF5 or LAPACK reported an error not recognized as one of the above) |
/// | 73 | cannot create the output (or it is the input or the model) |
/// | 74 | input/output error: no space left on device, a device error, the input changed under the run |
/// | 75 | stopped at --time-limit with a checkpoint, or the checkpoint directory is in use: run again |
/// | 77 | a checkpoint directory, or a file in it, that is a link, another user's or writable by others: refused |
/// | 130, 143, 138 | stopped by SIGINT, SIGTERM or SIGUSR1: with --checkpoint, after saving one; without, the output under construction is removed |
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    let status: Int32

    init(_ error: any Error) {
        message = "\(error)"
        status = Self.status(for: error)
    }

    var description: String { message }

    static func status(for error: any Error) -> Int32 {
        switch error {
        case let error as HDF5StoreError:
            switch error {
            case .fileNotFound, .cannotOpen, .notHDF5, .datasetNotFound, .ambiguousDataset, .objectNotFound,
                 .filterUnavailable,
                 .openForWriting:
                return 66
            case .cannotCreate:
                return 73
            case .noSpace, .inputOutput, .changedDuringRun:
                return 74
            case .library, .fileClosed:
                return 70
            default:
                return 65
            }
        case let error as FileStorageError:
            switch error {
            case .fileNotFound, .cannotOpen: return 66
            case .cannotCreate: return 73
            case .noSpace, .inputOutput: return 74
            case .rowsOutOfBounds, .systemCallFailed: return 70
            }
        case let error as NMFError:
            if case .invalidParameter = error { return 64 }
            if case .needsCheckpoint = error { return 64 }
            if case .budgetTooSmall = error { return 64 }
            if case .factorTooLargeForInitialization = error { return 64 }
            if case .sampleTooLargeForBudget = error { return 64 }
            if case .svdTooLargeForBudget = error { return 64 }
            if case .decomposition = error { return 70 }
            return 65
        case is GenerationError:
            return 64
        case let error as ResourceError:
            switch error {
            case .budgetExceedsMachine: return 64
            case .factorsTooLarge, .rankNeedsMoreMemory, .rowsNeedMoreMemory: return 65
            case .noSpace: return 74
            }
        case is ComponentImageError:
            return 64
        case is ModelError:
            return 65
        case is FactorizationError:
            return 73
        case let stopped as FactorizationStopped:
            if case .signal(let number) = stopped.reason { return 128 + number }
            return 75
        case let error as CheckpointError:
            switch error {
            case .inUse: return 75
            case .damaged: return 65
            case .mismatch, .beyondIterationLimit: return 64
            case .untrusted: return 77
            }
        default:
            return 70
        }
    }
}

extension BlockNMFCommand {
    /// Prints a failure as one line and exits with its status; everything else
    /// goes to ArgumentParser's own handling.
    static func main() {
        let interruptions = InterruptHandling.install()
        defer { withExtendedLifetime(interruptions) {} }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            printToStandardError("blocknmf: error: \(failure.message)")
            exit(withError: ExitCode(failure.status))
        } catch {
            exit(withError: error)
        }
    }
}
