import ArgumentParser
import BlockNMF
import ComponentPictures
import Foundation
import NMFKernels

extension Solver: ExpressibleByArgument {}
extension BetaLoss: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
    public var defaultValueDescription: String { description }
}
extension InitializationMethod: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
extension FactorStorage: ExpressibleByArgument {}

extension AlphaH: ExpressibleByArgument {
    public init?(argument: String) {
        if argument == "same" {
            self = .same
        } else if let value = Double(argument) {
            self = .value(value)
        } else {
            return nil
        }
    }
}

extension MemoryBudget: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension DatasetReference: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension ImageShape: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

extension CheckpointInterval: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}

/// A wall-clock duration argument: `3h50m`, `90m`, `45s`, `1-12:00:00`.
struct DurationArgument: ExpressibleByArgument {
    let seconds: Double

    init?(argument: String) {
        guard let seconds = WallClockDuration.usableSeconds(parsing: argument) else { return nil }
        self.seconds = seconds
    }
}

struct FactorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factor",
        abstract: "Factor a 2-D dataset V (rows = samples) into W·H with W, H ≥ 0.",
        discussion: """
            Writes OUTPUT with /W (m×k), /H (k×n), /loss_history and attributes holding every \
            parameter, reconstruction_err, relative_error (Frobenius loss), n_iter and converged. The output appears \
            only when complete.
            """
    )

    @OptionGroup var matrix: MatrixOptions<FactorCommand>

    @Option(name: [.customShort("k"), .long], parsing: .unconditional, help: "The number of components k (n_components).")
    var rank: Int

    @Option(name: [.customShort("o"), .long], help: "The result file to write.")
    var output: String

    @Option(help: """
        Update rule: anls (each factor the exact non-negative least-squares solution given the \
        other; from a row sample, the fewest passes over V), cd (coordinate descent, as \
        scikit-learn), mu (multiplicative update), or hals (coordinate descent with \
        --inner-sweeps sweeps per pass over V). Default: anls for the Frobenius loss, mu for \
        the others.
        """)
    var solver: Solver?

    /// The solver asked for, or the default for the loss: `mu`, the only one for losses other
    /// than Frobenius.
    private var chosenSolver: Solver { solver ?? (loss.isFrobenius ? .anls : .mu) }

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        The divergence minimized (beta_loss): frobenius, kullback-leibler, itakura-saito, or a number β. \
        Other than frobenius needs --solver mu (the default solver for them).
        """, valueName: "loss"))
    var loss: BetaLoss = .frobenius

    @Option(name: .customLong("inner-sweeps"), parsing: .unconditional, help: "Sweeps per factor update for --solver hals.")
    var innerSweeps: Int?

    @Option(name: .customLong("init"), help: """
        Initialization: random, nndsvd, nndsvda, nndsvdar, custom, or sample (H from a fit on \
        1/20 of V's rows, read in a fraction of a pass). Default: with anls, sample (random when \
        the sample does not fit in half of --memory); with the other solvers, nndsvda when \
        k ≤ min(m, n) and random otherwise; custom when --init-w/--init-h are given.
        """)
    var initialization: InitializationMethod?

    @Option(name: .customLong("init-w"), help: "Initial W for --init custom, as FILE.h5:/DATASET (m×k).")
    var initialW: DatasetReference?

    @Option(name: .customLong("init-h"), help: "Initial H for --init custom, as FILE.h5:/DATASET (k×n).")
    var initialH: DatasetReference?

    @Option(name: .customLong("max-iter"), parsing: .unconditional, help: "Maximum number of iterations.")
    var maxIterations: Int = 200

    @Option(name: .customLong("tol"), parsing: .unconditional, help: "Tolerance of the stopping rule (0: run all iterations).")
    var tolerance: Double = 1e-4

    @Option(name: .customLong("alpha-w"), parsing: .unconditional, help: "Regularization strength on W (alpha_W).")
    var alphaW: Double = 0

    @Option(name: .customLong("alpha-h"), parsing: .unconditional, help: "Regularization strength on H, or 'same' as --alpha-w.")
    var alphaH: AlphaH = .same

    @Option(name: .customLong("l1-ratio"), parsing: .unconditional, help: "Share of L1 in the regularization, in [0, 1].")
    var l1Ratio: Double = 0

    @Option(parsing: .unconditional, help: "Seed of the random initializations (random_state).")
    var seed: UInt32 = 0

    @OptionGroup var reading: ReadingOptions<FactorCommand>

    @Option(name: .customLong("w-storage"), help: """
        Where W lives: memory, scratch (a file read and written beside V), or auto (memory when W \
        takes at most half of --memory).
        """)
    var wStorage: FactorStorage = .auto

    @Option(name: .customLong("scratch-dir"), help: "Directory for W's scratch file (default: the output's).")
    var scratchDirectory: String?

    @Option(help: ArgumentHelp("""
        Keep checkpoints in DIR (created if missing) and resume from the one there: rerunning the \
        same command after a kill, SIGTERM, SIGINT, SIGUSR1 or --time-limit continues where the run \
        stopped and ends with the same W and H as an uninterrupted run.
        """, valueName: "DIR"))
    var checkpoint: String?

    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: ArgumentHelp(
        "A checkpoint every N iterations (25) or every so much time (10m, 1h); default 5m.",
        valueName: "N|DURATION"))
    var checkpointEvery: CheckpointInterval = CheckpointOptions.defaultInterval

    @Flag(help: "Discard the checkpoint in --checkpoint DIR and start over.")
    var restart = false

    @Flag(name: .customLong("keep-checkpoint"), help: """
        Keep the checkpoint after success (a rerun with a higher --max-iter continues from it).
        """)
    var keepCheckpoint = false

    @Option(name: .customLong("time-limit"), parsing: .unconditional, help: ArgumentHelp("""
        Stop with a checkpoint once the run has taken this long (3h50m, 90m, 1-00:00:00), exiting \
        with status 75; set it a few minutes below the job's limit.
        """, valueName: "DURATION"))
    var timeLimit: DurationArgument?

    @Option(name: .customLong("image-shape"), help: ArgumentHelp(
        "The image each row of V holds, HEIGHTxWIDTH pixels row by row (HEIGHT·WIDTH = n), for --components-png.",
        valueName: "HxW"))
    var imageShape: ImageShape?

    @Option(name: .customLong("components-png"), help: ArgumentHelp("""
        Draw the components (rows of H) as images of --image-shape in a PNG grid, each tile \
        scaled to its own maximum; written when the fit succeeds.
        """, valueName: "FILE.png"))
    var componentsPNG: String?

    @OptionGroup var printing: PrintingOptions<FactorCommand>

    func validate() throws {
        // A count below 1 is refused by its rule, whatever the solver.
        if let innerSweeps, innerSweeps >= 1, chosenSolver != .hals {
            throw ValidationError("--inner-sweeps is used only with --solver hals (solver '\(chosenSolver.rawValue)' has no inner sweeps)")
        }
        if let initialization, initialization != .custom, initialW != nil || initialH != nil {
            throw ValidationError("--init-w and --init-h are used only with --init custom")
        }
        if initialization == .custom, initialW == nil || initialH == nil {
            throw ValidationError("--init custom needs both --init-w FILE.h5:/W0 and --init-h FILE.h5:/H0")
        }
        if componentsPNG != nil && imageShape == nil {
            throw ValidationError("--components-png needs --image-shape HxW (the image each row of V holds)")
        }
        if imageShape != nil && componentsPNG == nil {
            throw ValidationError("--image-shape is used only with --components-png FILE.png")
        }
        // Flags of the checkpoint (CheckpointOptions cannot hold them without its directory),
        // and the library's rule for the time limit, told the same way.
        if checkpoint == nil, let (_, flag) = [(restart, "--restart"), (keepCheckpoint, "--keep-checkpoint")]
            .first(where: { $0.0 }) {
            throw ValidationError("\(flag) needs --checkpoint DIR")
        }
        do {
            try FactorizationRequest.checkTimeLimit(timeLimit?.seconds, checkpointed: checkpoint != nil)
        } catch .needsCheckpoint(let name, _) {
            throw ValidationError("--\(name) needs --checkpoint DIR")
        } catch {
            throw ValidationError(error.description)
        }
        if checkpoint == nil, checkpointEvery != CheckpointOptions.defaultInterval {
            throw ValidationError("--checkpoint-every needs --checkpoint DIR")
        }
    }

    func run() throws {
        let configuration = NMFConfiguration(
            components: rank, solver: chosenSolver, initialization: initialization,
            maxIterations: maxIterations, tolerance: tolerance,
            regularization: Regularization(alphaW: alphaW, alphaH: alphaH, l1Ratio: l1Ratio),
            seed: seed, innerSweeps: innerSweeps ?? NMFConfiguration.defaultInnerSweeps, loss: loss)
        var request = FactorizationRequest(
            input: matrix.input, dataset: matrix.dataset, output: output, configuration: configuration,
            precision: reading.precision, initialW: initialW, initialH: initialH, threads: reading.threads,
            memory: reading.memory, blockRows: reading.blockRows, wStorage: wStorage, scratchDirectory: scratchDirectory,
            checkpoint: checkpoint.map {
                CheckpointOptions(directory: $0, interval: checkpointEvery, restart: restart, keep: keepCheckpoint)
            },
            timeLimit: timeLimit?.seconds,
            componentsImage: componentsPNG.flatMap { path in
                imageShape.map { ComponentsImageRequest(path: path, shape: $0) }
            })
        if checkpoint != nil {
            let stop = StopRequest()
            request.stopRequest = stop
            InterruptHandling.stopGracefully(stop)
        }
        let printer = ProgressPrinter()
        do {
            let quiet = printing.quiet
            let summary = try Factorization.run(request, onProgress: quiet ? nil : { printer.report($0) },
                                                onCheckpoint: quiet ? nil : { printer.report($0) },
                                                onRowOrder: quiet ? nil : { printer.report($0) })
            if printing.summary.json {
                print(try jsonText(summary))
                return
            }
            let fit = summary.report
            print("""
                \(dataDescription(summary.input, summary.dataset, summary.rows, summary.columns, summary.storedType)) \
                rank \(rank), \(chosenSolver.rawValue), init \(fit.initialization), \(summary.precision): \
                \(outcomeDescription(fit, relativeError: summary.relativeError, loss: configuration.loss)), \
                \(summary.plan.mode.rawValue) \
                (\(summary.readsInPlace ? "mapped, " : "")\(blocksDescription(summary.plan, rows: summary.rows)), \
                \(counted(summary.threads, "thread")), W in \(summary.wStorage)), \
                \(summary.plan.rowOrder.map { "\(describe($0)), " } ?? "")\
                peak memory \(MemoryBudget.format(summary.peakResidentBytes)) -> \(summary.output)\
                \(summary.componentsImage.map { ", components drawn in \($0)" } ?? "")
                """)
        } catch {
            throw CommandFailure(error)
        }
    }
}

extension FactorCommand: DataWording {
    static let inputHelp = "The HDF5 file holding V."
    static let datasetHelp = "The dataset holding V (default: the file's only 2-D numeric dataset)."
    static let memoryHelp = """
        Memory for V's buffers, e.g. 2GiB or 500MB (default: a quarter of RAM, or of the cgroup's limit when lower); W and H come on top. \
        V is kept in memory when it takes at most half of it, and streamed from the file otherwise.
        """
    static let quietHelp = "Print nothing on stderr while factoring."
}

/// How a column-compressed V was put in row order, as the summary line says it.
func describe(_ order: RowOrder) -> String {
    switch order.place {
    case .memory:
        "compressed by columns, put in row order in memory in \(formatted(order.seconds, digits: 3)) s"
    case .scratch:
        "compressed by columns, copied by rows in \(formatted(order.seconds, digits: 3)) s "
            + "(\(MemoryBudget.format(order.copyBytes)) in the scratch directory, removed)"
    }
}

func jsonText<Value: Encodable>(_ value: Value) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
