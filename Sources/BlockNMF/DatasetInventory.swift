import HDF5Store

/// `blocknmf info` as a library call: every dataset of a file, and for each
/// matrix `factor` could take, how it would be read under a memory budget.
public struct DatasetEntry: Sendable, Codable {
    public let path: String
    public let shape: [Int]
    public let type: String
    public let chunkShape: [Int]?
    public let filters: [String]
    /// Bytes in the file (after compression).
    public let storedBytes: Int
    /// Bytes of the data uncompressed, as stored.
    public let dataBytes: Int
    /// For 2-D numeric datasets: the plan `factor` makes, or why it cannot.
    public let plan: StreamPlan?
    public let planPrecision: String?
    public let planProblem: String?
}

public enum DatasetInventory {
    public static func describe(_ path: String, memory: MemoryBudget, precision: Precision = .auto) throws
        -> [DatasetEntry]
    {
        let file = try HDF5File.openReadOnly(path)
        return try file.datasets().map { info in
            let count = info.shape.reduce(1, *)
            var plan: StreamPlan?, planPrecision: String?, problem: String?
            if info.rank == 2, info.elementType.isNumeric {
                let float32 = precision == .float32 || (precision == .auto && info.elementType.name == "float32")
                planPrecision = float32 ? "float32" : "float64"
                do {
                    plan = try StreamPlan.make(
                        rows: info.shape[0], columns: info.shape[1], elementBytes: float32 ? 4 : 8,
                        storedBytes: max(1, info.elementType.bits / 8), chunkRows: info.chunkShape?[0],
                        chunksCached: !info.filters.isEmpty, budget: memory, source: "\(path):\(info.path)")
                } catch {
                    problem = "\(error)"
                }
            }
            return DatasetEntry(path: info.path, shape: info.shape, type: info.elementType.name,
                                chunkShape: info.chunkShape, filters: info.filters, storedBytes: info.storageBytes,
                                dataBytes: count * max(1, info.elementType.bits / 8), plan: plan,
                                planPrecision: planPrecision, planProblem: problem)
        }
    }
}
