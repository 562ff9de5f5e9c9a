import ArgumentParser
import BlockNMF

/// How a command's help names the data it reads (V for `factor`, new rows for
/// `transform`): the options below mean the same in each, and say so in its words.
protocol DataWording {
    static var inputHelp: String { get }
    static var datasetHelp: String { get }
    static var memoryHelp: String { get }
    static var quietHelp: String { get }
}

/// The matrix a command reads: the file, and the dataset or sparse group in it.
struct MatrixOptions<Wording: DataWording>: ParsableArguments {
    @Argument(help: ArgumentHelp(Wording.inputHelp))
    var input: String

    @Option(help: ArgumentHelp(Wording.datasetHelp))
    var dataset: String?
}

/// How a command reads its matrix and computes on it, as `MatrixInput` and the engine take it.
struct ReadingOptions<Wording: DataWording>: ParsableArguments {
    @Option(help: "float32, float64, or auto (float32 data stays float32, anything else becomes float64).")
    var precision: Precision = .auto

    @Option(parsing: .unconditional, help: "Worker threads (results do not depend on it; default: one per core).")
    var threads: Int = WorkerThreads.default

    @Option(parsing: .unconditional, help: ArgumentHelp(Wording.memoryHelp))
    var memory: MemoryBudget = .default

    @Option(name: .customLong("block-rows"), parsing: .unconditional, help: "Rows per read, instead of the memory budget's choice (forces streaming).")
    var blockRows: Int?
}

/// What a command prints while it works and when it is done.
struct PrintingOptions<Wording: DataWording>: ParsableArguments {
    @Flag(help: ArgumentHelp(Wording.quietHelp))
    var quiet = false

    @OptionGroup var summary: SummaryFormat
}

/// The summary as a line of text or as JSON.
struct SummaryFormat: ParsableArguments {
    @Flag(help: "Print a machine-readable summary (JSON) on stdout instead of the text line.")
    var json = false
}
