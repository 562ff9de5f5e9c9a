import ArgumentParser
import BlockNMF

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "List a file's datasets: shape, type, chunking, filters, size, and how factor would read each matrix."
    )

    @Argument(help: "An HDF5 file.")
    var file: String

    @Option(help: "The memory budget factor would use (default: a quarter of RAM, or of the cgroup's limit when lower).")
    var memory: MemoryBudget = .default

    @Option(help: "The precision factor would compute in.")
    var precision: Precision = .auto

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        do {
            let entries = try DatasetInventory.describe(file, memory: memory, precision: precision)
            if json {
                print(try jsonText(entries))
                return
            }
            let groups = entries.filter { $0.sparse != nil }.count, datasets = entries.count - groups
            let sparse = groups == 0 ? "" : ", \(groups) sparse group\(groups == 1 ? "" : "s")"
            print("\(file): \(datasets) dataset\(datasets == 1 ? "" : "s")\(sparse); factor's memory budget \(memory)")
            for entry in entries {
                if let sparse = entry.sparse {
                    let stored = sparse.storedShape.map(String.init).joined(separator: "×")
                    let reading = sparse.orientation == "CSR" ? "rows as stored" : "read as its transpose: samples are its columns"
                    print("  \(entry.path)  sparse \(sparse.orientation) \(stored) \(entry.type) (\(reading)): "
                        + "\(entry.shape.map(String.init).joined(separator: "×")), \(sparse.nonZeros) non-zeros, "
                        + "density \(formatted(sparse.density, digits: 3)), tiles of \(sparse.rowsPerTile) rows, "
                        + "\(MemoryBudget.format(entry.storedBytes)) in the file")
                    printPlan(entry)
                    continue
                }
                let shape = entry.shape.map(String.init).joined(separator: "×")
                let chunks = entry.chunkShape.map { "chunks " + $0.map(String.init).joined(separator: "×") } ?? "contiguous"
                let filters = entry.filters.isEmpty ? "" : ", " + entry.filters.joined(separator: ", ")
                print("  \(entry.path)  \(shape) \(entry.type), \(chunks)\(filters), "
                    + "\(MemoryBudget.format(entry.storedBytes)) in the file (\(MemoryBudget.format(entry.dataBytes)) of data)")
                printPlan(entry)
            }
        } catch {
            throw CommandFailure(error)
        }
    }

    private func printPlan(_ entry: DatasetEntry) {
        if let plan = entry.plan, let precision = entry.planPrecision {
            let how = plan.mode == .resident ? "read once and kept in memory"
                : plan.valuesPerBlock.map { "streamed in blocks of at most \($0) values (about \(plan.blockRows) rows)" }
                ?? "streamed in \(plan.blockRows)-row blocks"
            print("    factor: \(precision), \(how)")
        } else if let problem = entry.planProblem {
            print("    factor: \(problem)")
        }
    }
}
