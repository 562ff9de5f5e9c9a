import ArgumentParser
import BlockNMF

struct InverseTransformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inverse-transform",
        abstract: "X = W·H: data in the original space from W and a fitted model's H (scikit-learn's inverse_transform).",
        discussion: """
            Writes OUTPUT with /X (m×n) and attributes naming the input and the model, a block of rows at \
            a time: memory is one block of W and one of X, whatever m. The output appears only when complete.
            """
    )

    @Argument(help: "The HDF5 file holding W (m×k): a result of transform or factor.")
    var input: String

    @Option(help: "The dataset holding W.")
    var dataset: String = "/W"

    @Option(help: ArgumentHelp("The model: a result file of blocknmf factor (its /H is used).", valueName: "MODEL.h5"))
    var model: String

    @Option(name: [.customShort("o"), .long], help: "The file to write X to.")
    var output: String

    @Option(help: "float32, float64, or auto (float32 W stays float32, anything else becomes float64).")
    var precision: Precision = .auto

    @Option(parsing: .unconditional, help: "Memory for a block of W's rows and the block of X they make, e.g. 256MiB (default: a quarter of RAM, or of the cgroup's limit when lower).")
    var memory: MemoryBudget = .default

    @OptionGroup var summaryFormat: SummaryFormat

    func run() throws {
        let request = InverseTransformRequest(input: input, dataset: dataset, model: model, output: output,
                                              precision: precision, memory: memory)
        do {
            let summary = try Transformation.inverse(request)
            if summaryFormat.json {
                print(try jsonText(summary))
                return
            }
            print("""
                \(summary.input):\(summary.dataset) (\(summary.rows)×\(summary.components)) · \
                H of \(summary.model) (\(summary.components)×\(summary.columns)), \(summary.precision): \
                \(summary.rows)×\(summary.columns) in \(summary.blockRows)-row blocks, \
                \(formatted(summary.elapsedSeconds, digits: 3)) s, \
                peak memory \(MemoryBudget.format(summary.peakResidentBytes)) -> \(summary.output):/X
                """)
        } catch {
            throw CommandFailure(error)
        }
    }
}
