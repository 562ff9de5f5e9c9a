import ArgumentParser
import BlockNMF

struct TransformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform",
        abstract: "W for new rows with a fitted model's H fixed (scikit-learn's transform).",
        discussion: """
            MODEL is a result file of factor: its /H and its solver, beta_loss, tol, max_iter, alpha_W and \
            l1_ratio are used, starting from W = 0 (mu: √(mean/k)) as scikit-learn does. Writes OUTPUT \
            with /W (m×k), /loss_history and attributes (n_iter, reconstruction_err, relative_error for \
            the Frobenius loss, converged, the parameters and the input). The input is read like factor's: kept in memory or streamed \
            under --memory. The output appears only when complete.
            """
    )

    @OptionGroup var matrix: MatrixOptions<TransformCommand>

    @Option(help: ArgumentHelp("The model: a result file of blocknmf factor.", valueName: "MODEL.h5"))
    var model: String

    @Option(name: [.customShort("o"), .long], help: "The file to write W to.")
    var output: String

    @OptionGroup var reading: ReadingOptions<TransformCommand>

    @OptionGroup var printing: PrintingOptions<TransformCommand>

    func run() throws {
        let request = TransformRequest(input: matrix.input, dataset: matrix.dataset, model: model, output: output,
                                       precision: reading.precision, threads: reading.threads, memory: reading.memory,
                                       blockRows: reading.blockRows)
        let printer = ProgressPrinter()
        do {
            let summary = try Transformation.run(request, onProgress: printing.quiet ? nil : { printer.report($0) })
            if printing.summary.json {
                print(try jsonText(summary))
                return
            }
            print("""
                \(dataDescription(summary.input, summary.dataset, summary.rows, summary.columns, summary.storedType)) \
                with \(summary.model) (rank \(summary.configuration.components), \
                \(summary.configuration.solver.rawValue)), \(summary.precision): \
                \(outcomeDescription(summary.report, relativeError: summary.relativeError, loss: summary.configuration.loss)), \
                \(summary.plan.mode.rawValue) \
                (\(blocksDescription(summary.plan, rows: summary.rows)), \(counted(summary.threads, "thread"))), \
                peak memory \(MemoryBudget.format(summary.peakResidentBytes)) -> \(summary.output)
                """)
        } catch {
            throw CommandFailure(error)
        }
    }
}

extension TransformCommand: DataWording {
    static let inputHelp = "The HDF5 file holding the new rows (samples × the model's features)."
    static let datasetHelp = "The dataset holding the rows (default: the file's only 2-D numeric dataset)."
    static let memoryHelp = """
        Memory for the data's buffers, e.g. 2GiB or 500MB (default: a quarter of RAM, or of the cgroup's limit when lower); W and H come on \
        top. The data is kept in memory when it takes at most half of it, and streamed otherwise.
        """
    static let quietHelp = "Print nothing on stderr while solving."
}
