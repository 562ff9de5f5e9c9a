import ArgumentParser
import Foundation
import NMFKernels

@main
struct MachineLimits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine-limits",
        abstract: "Measures the limits an NMF iteration runs into on this machine: BLAS product rates, "
            + "memory bandwidth and sequential read bandwidth.",
        discussion: "Every figure is the median of --trials trials, each at least --seconds long after "
            + "a warm-up; the best trial is reported too.")

    @Option(help: "Rows b of a row block Vi.")
    var blockRows = 2048

    @Option(name: .customLong("cols"), help: "Columns n of V.")
    var columns = 2000

    @Option(help: "Rank k of the factorization.")
    var rank = 20

    @Option(help: "Order of the square reference product.")
    var square = 2048

    @Flag(help: "Measure the products in Double as well as Float.")
    var double = false

    @Option(help: "Workers for the all-cores figures (default: the available cores).")
    var workers: Int?

    @Option(help: "Minimum duration of one trial, in seconds.")
    var seconds = 1.0

    @Option(help: "Trials per figure.")
    var trials = 3

    @Option(help: "Bytes per STREAM array, e.g. 512MiB (default: 8 × the last-level cache, at least 256 MiB).",
            transform: parseByteCount)
    var streamArraySize: ByteCount?

    @Option(help: "Measure the sequential read bandwidth of this file.")
    var file: String?

    @Option(help: "Write a file of this size (e.g. 4GiB) of random bytes to the temporary directory, measure reading it, and delete it.",
            transform: parseByteCount)
    var createFile: ByteCount?

    @Option(help: "Read block size for the disk measurement.", transform: parseByteCount)
    var readBlock = ByteCount(bytes: 8 << 20)

    @Flag(help: "Skip the product rates.")
    var skipProducts = false

    @Flag(help: "Skip the memory bandwidth.")
    var skipMemory = false

    @Flag(help: "Print the report as JSON on standard output; the table then goes to standard error.")
    var json = false

    func validate() throws {
        for (name, value) in [("--block-rows", blockRows), ("--cols", columns), ("--rank", rank),
                              ("--square", square), ("--trials", trials), ("--read-block", readBlock.bytes)]
        where value < 1 {
            throw ValidationError("\(name) must be at least 1, got \(value)")
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive, got \(seconds)") }
        if file != nil && createFile != nil {
            throw ValidationError("--file and --create-file measure one file; give one of them")
        }
        if let createFile, createFile.bytes < 1 {
            throw ValidationError("--create-file must be at least 1 byte")
        }
    }

    func run() throws {
        let machine = MachineDescription.current()
        let workerCount = workers ?? machine.availableCores
        // One worker, then all of them; a single-core machine has only the first.
        let workerCounts = workerCount == 1 ? [1] : [1, workerCount]
        let measurement = RateMeasurement(minimumTrialSeconds: seconds, trials: trials)
        let cacheBytes = machine.lastLevelCacheBytes ?? 32 << 20
        let dimensions = RowBlockDimensions(blockRows: blockRows, columns: columns, rank: rank)
        var report = LimitsReport(
            machine: machine,
            settings: .init(workers: workerCount, rowBlock: dimensions, squareOrder: square,
                            minimumTrialSeconds: seconds, trials: trials,
                            statistic: "median of \(trials) trials of ≥ \(seconds) s after a warm-up (best also given)"))

        if !skipProducts {
            for precision in double ? ["float32", "float64"] : ["float32"] {
                let record: (ProductRate) -> Void = { rate in
                    progress("\(rate.product), \(rate.precision), \(workerCountText(rate.workers)): "
                             + String(format: "%.1f GFLOP/s", rate.gflops.median))
                    report.products.append(rate)
                }
                if precision == "float32" {
                    ProductBenchmark<Float>(dimensions: dimensions, squareOrder: square,
                                            lastLevelCacheBytes: cacheBytes, measurement: measurement)
                        .measure(workerCounts: workerCounts, report: record)
                } else {
                    ProductBenchmark<Double>(dimensions: dimensions, squareOrder: square,
                                             lastLevelCacheBytes: cacheBytes, measurement: measurement)
                        .measure(workerCounts: workerCounts, report: record)
                }
            }
        }

        if !skipMemory {
            let arrayBytes = streamArraySize?.bytes ?? max(256 << 20, 8 * cacheBytes)
            MemoryBandwidth(arrayBytes: arrayBytes, measurement: measurement)
                .measure(workerCounts: workerCounts) { rate in
                    progress("\(rate.kernel), \(workerCountText(rate.workers)): " + String(format: "%.2f GB/s", rate.gbps.median))
                    report.memory.append(rate)
                }
        }

        if let target = try diskTarget() {
            progress("reading \(target.name) (\(ByteCount(bytes: target.byteCount).readable)) cold and cached")
            report.disk = try DiskReadBandwidth(blockSize: readBlock.bytes, measurement: measurement).measure(target)
        }

        if json {
            progress(report.table())
            print(try report.json())
        } else {
            print(report.table())
        }
    }

    private func diskTarget() throws -> OpenFile? {
        if let file { return try OpenFile(readingAt: file) }
        guard let createFile else { return nil }
        let directory = FileManager.default.temporaryDirectory.path
        progress("writing \(createFile.readable) of random bytes to \(directory)")
        return try OpenFile.scratch(in: directory, byteCount: createFile.bytes, blockSize: readBlock.bytes)
    }
}

private func parseByteCount(_ text: String) throws -> ByteCount {
    guard let count = ByteCount(parsing: text) else {
        throw ValidationError("'\(text)' is not a size; write e.g. 4096, 512MiB, 4GiB or 10GB")
    }
    return count
}

/// Progress goes to standard error so that `--json` output stays clean.
private func progress(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

private func workerCountText(_ count: Int) -> String { count == 1 ? "1 worker" : "\(count) workers" }
