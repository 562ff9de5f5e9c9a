import ArgumentParser
import BlockNMF
import HDF5Store

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "List a file's datasets: shape, type, chunking, filters, size, and how factor would read each matrix."
    )

    @Argument(help: "An HDF5 file.")
    var file: String

    @Option(parsing: .unconditional, help: "The memory budget factor would use (default: a quarter of RAM, or of the cgroup's limit when lower).")
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
            let sparse = groups == 0 ? "" : ", \(counted(groups, "sparse group"))"
            print("\(file): \(counted(datasets, "dataset"))\(sparse); factor's memory budget \(memory)")
            for entry in entries {
                if let sparse = entry.sparse {
                    let stored = sparse.storedShape.map(String.init).joined(separator: "×")
                    let reading = sparse.convention == "10x" ? "features × barcodes, read transposed" : "as declared"
                    print("  \(entry.path)  sparse \(sparse.orientation) \(stored) \(entry.type) (\(sparse.convention), "
                        + "\(reading)): \(entry.shape.map(String.init).joined(separator: "×")), "
                        + "\(counted(sparse.nonZeros, "non-zero")), density \(formatted(sparse.density, digits: 3)), "
                        + "tiles of \(counted(sparse.rowsPerTile, "row"))\(filterList(entry)), "
                        + "\(MemoryBudget.format(entry.storedBytes)) in the file")
                } else {
                    let shape = entry.shape.map(String.init).joined(separator: "×")
                    let chunks = entry.chunkShape.map { "chunks " + $0.map(String.init).joined(separator: "×") } ?? "contiguous"
                    print("  \(entry.path)  \(shape) \(entry.type), \(chunks)\(filterList(entry)), "
                        + "\(MemoryBudget.format(entry.storedBytes)) in the file (\(MemoryBudget.format(entry.dataBytes)) of data)")
                }
                if let axes = entry.axes {
                    print("    rows: \(entry.shape[0]) \(axes.rows); columns: \(entry.shape[1]) \(axes.columns)")
                }
                printPlan(entry)
            }
        } catch {
            throw CommandFailure(error)
        }
    }

    /// ", shuffle, deflate(4)", each filter HDF5 cannot load marked as such.
    private func filterList(_ entry: DatasetEntry) -> String {
        entry.filters.map { ", " + $0 + (entry.unavailableFilters.contains($0) ? " (not available)" : "") }.joined()
    }

    private func printPlan(_ entry: DatasetEntry) {
        if let plan = entry.plan, let precision = entry.planPrecision {
            var how = plan.mode == .resident ? "read once and kept in memory"
                : plan.valuesPerBlock.map { "streamed in blocks of at most \(counted($0, "value")) (about \(counted(plan.blockRows, "row")))" }
                ?? "streamed in \(plan.blockRows)-row blocks"
            if let sparse = entry.sparse, !sparse.rowsAreCompressed {
                how = sparse.rowOrderDiskBytes.map {
                    "compressed by columns: first copied by rows into the scratch directory (one read of the group, "
                        + "up to \(MemoryBudget.format($0)) of disk, removed at the end), then \(how)"
                } ?? "compressed by columns: put in row order in memory as it is read, then kept"
            }
            print("    factor: \(precision), \(how)")
        } else if let problem = entry.planProblem {
            print("    factor: \(problem)")
        }
    }
}
