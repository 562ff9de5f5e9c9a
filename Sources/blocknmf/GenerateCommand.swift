import ArgumentParser
import BlockNMF
import Foundation
import SyntheticData

extension StoredType: ExpressibleByArgument {}
extension MatrixLayout: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a planted non-negative rank-k matrix V = W*·H* + noise to HDF5, block by block.",
        discussion: """
            Writes OUTPUT with /X (V, m×n, in --type), /W_true (W*, m×k) and /H_true (H*, k×n), \
            drawn uniform on [0, 1) from NumPy's legacy RandomState(seed): H* first, then W*, each \
            row-major; the noise s·u comes from RandomState(seed + 1). The same flags give the same \
            file, bit for bit. Memory stays near --memory whatever the number of rows; the output \
            appears only when complete.
            """
    )

    @Argument(help: "The HDF5 file to write.")
    var output: String

    @Option(parsing: .unconditional, help: "m: the number of rows (samples).")
    var rows: Int

    @Option(parsing: .unconditional, help: "n: the number of columns (features).")
    var cols: Int

    @Option(name: [.customShort("k"), .long], parsing: .unconditional, help: "k: the rank of W*·H*.")
    var rank: Int

    @Option(parsing: .unconditional, help: "s: each value gets s·u added, u uniform on [0, 1); 0 stores W*·H* exactly.")
    var noise: Double = 0

    @Option(parsing: .unconditional, help: "Seed of the random streams.")
    var seed: UInt32 = 0

    @Option(name: .customLong("chunk-rows"), parsing: .unconditional, help: "Rows per HDF5 chunk of /X (default: about 1 MiB per chunk).")
    var chunkRows: Int?

    @Option(help: "none, or gzip:LEVEL (LEVEL 0...9, with byte shuffle).")
    var compression = "none"

    @Option(name: .customLong("type"), help: "Element type of /X.")
    var storedType: StoredType = .float32

    @Option(parsing: .unconditional, help: "Integer types store round(v·scale), halves away from zero, saturated at the type's maximum (default 1).")
    var scale: Double?

    @Option(parsing: .unconditional, help: "d: the share of values kept (the others are 0), in (0, 1].")
    var density: Double = 1

    @Option(help: ArgumentHelp("""
        dense (a dataset /X), anndata (a CSR group /X, as .h5ad files hold it) or 10x \
        (/matrix, the CSC of Vᵀ as 10x Genomics .h5 files hold it).
        """, valueName: "layout"))
    var layout: MatrixLayout = .dense

    @Option(parsing: .unconditional, help: "Memory for one block of V, e.g. 64MiB, 512K, 1G.")
    var memory = "64MiB"

    @Flag(help: "No progress bar on stderr.")
    var quiet = false

    @Flag(help: "Print the summary as one JSON object, with the peak resident memory.")
    var json = false

    func run() throws {
        let progressBar = quiet ? nil : ProgressBar()
        do {
            let summary = try DataGenerator.run(try request(), onProgress: progressBar?.update)
            progressBar?.finish()
            print(json ? try jsonReport(summary) : summaryLine(summary))
        } catch {
            progressBar?.finish()
            throw CommandFailure(error)
        }
    }

    private func request() throws -> GenerationRequest {
        if let scale, !storedType.isInteger {
            throw GenerationError.invalidParameter(name: "scale", value: "\(scale)",
                                            requirement: "applies only to integer --type values")
        }
        guard let budget = ByteCount(parsing: memory) else {
            throw GenerationError.invalidParameter(name: "memory", value: memory,
                                            requirement: "must be a size such as 64MiB, 512K or 1G")
        }
        var request = GenerationRequest(
            output: output, rows: rows, columns: cols, rank: rank, noise: noise, seed: seed,
            chunkRows: chunkRows, compression: try Compression(parsing: compression),
            storedType: storedType, scale: scale ?? 1, blockMemoryBytes: budget.bytes)
        request.density = density
        request.layout = layout
        return request
    }

    private func summaryLine(_ summary: GenerationSummary) -> String {
        let megabytes = Double(summary.dataBytes) / 1e6
        let seconds = summary.elapsedSeconds
        var line = "\(summary.output): \(summary.rows)×\(summary.columns) \(summary.storedType.rawValue), "
            + "rank \(summary.rank), noise \(formatted(noise)), seed \(seed), \(summary.compression): "
            + "\(formatted(Double(summary.bytesOnDisk) / 1e6, digits: 4)) MB on disk, "
            + "\(formatted(seconds, digits: 3)) s, \(formatted(seconds > 0 ? megabytes / seconds : 0, digits: 4)) MB/s"
        if summary.saturatedValues > 0 {
            line += ", \(counted(summary.saturatedValues, "value")) above the \(summary.storedType.rawValue) maximum stored as it"
        }
        return line
    }

    private func jsonReport(_ summary: GenerationSummary) throws -> String {
        struct Report: Encodable {
            let summary: GenerationSummary
            let peakResidentBytes: Int
        }
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(Report(summary: summary, peakResidentBytes: ResourceUsage.peakResidentBytes))
        return String(decoding: data, as: UTF8.self)
    }
}
