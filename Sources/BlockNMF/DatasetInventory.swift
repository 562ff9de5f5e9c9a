import HDF5Store

/// `blocknmf info` as a library call: every dataset of a file, and for each
/// matrix `factor` could take, how it would be read under a memory budget.
public struct DatasetEntry: Sendable, Codable {
    public let path: String
    public let shape: [Int]
    public let type: String
    public let chunkShape: [Int]?
    /// The filter pipeline; for a sparse group, its datasets' filters (each listed once).
    public let filters: [String]
    /// Filters of `filters` that HDF5 cannot load here: `factor` cannot read the data.
    public var unavailableFilters: [String] = []
    /// Bytes in the file (after compression).
    public let storedBytes: Int
    /// Bytes of the data uncompressed, as stored.
    public let dataBytes: Int
    /// For 2-D numeric datasets: the plan `factor` makes, or why it cannot.
    public let plan: StreamPlan?
    public let planPrecision: String?
    public let planProblem: String?
    /// For a sparse group: how it is stored (the entry's shape is the matrix `factor` reads).
    public var sparse: SparseLayout? = nil
}

/// How a sparse group stores its matrix.
public struct SparseLayout: Sendable, Codable {
    /// "CSR" (read as stored) or "CSC" (read as its transpose).
    public let orientation: String
    public let storedShape: [Int]
    public let nonZeros: Int
    public let density: Double
    /// Rows of the tiles `factor` cuts it into (`TileSchedule.sparseRowsPerTile`).
    public let rowsPerTile: Int
}

public enum DatasetInventory {
    public static func describe(_ path: String, memory: MemoryBudget, precision: Precision = .auto) throws
        -> [DatasetEntry]
    {
        let file = try HDF5File.openReadOnly(path)
        let datasets = try file.datasets()
        let sparse = try file.sparseGroupPaths().map { group in
            try sparseEntry(file.sparseGroup(group, readable: false), datasets: datasets, path: path, memory: memory,
                            precision: precision)
        }
        return sparse + datasets.map { info in
            let count = info.shape.reduce(1, *)
            var plan: StreamPlan?, planPrecision: String?, problem: String?
            if info.rank == 2, info.elementType.isNumeric {
                let float32 = computesInFloat32(info.elementType, precision)
                planPrecision = float32 ? "float32" : "float64"
                if let missing = info.unavailableFilter {
                    problem = unreadable(info.path, missing)
                } else {
                    do {
                        plan = try StreamPlan.make(
                            rows: info.shape[0], columns: info.shape[1], elementBytes: float32 ? 4 : 8,
                            storedBytes: max(1, info.elementType.bits / 8), chunkRows: info.chunkShape?[0],
                            chunksCached: !info.filters.isEmpty, budget: memory, source: "\(path):\(info.path)")
                    } catch {
                        problem = "\(error)"
                    }
                }
            }
            var entry = DatasetEntry(path: info.path, shape: info.shape, type: info.elementType.name,
                                     chunkShape: info.chunkShape, filters: info.filters, storedBytes: info.storageBytes,
                                     dataBytes: count * max(1, info.elementType.bits / 8), plan: plan,
                                     planPrecision: planPrecision, planProblem: problem)
            entry.unavailableFilters = info.pipeline.filter { !$0.isAvailable }.map(\.description)
            return entry
        }
    }

    /// The plan line of data stored with a filter HDF5 cannot load.
    private static func unreadable(_ dataset: String, _ filter: DatasetFilter) -> String {
        "cannot read it: \(dataset) is stored with \(filter.phrase), which HDF5 cannot load: \(filter.remedy)"
    }

    private static func computesInFloat32(_ type: ElementType, _ precision: Precision) -> Bool {
        precision == .float32 || (precision == .auto && type.name == "float32")
    }

    private static func sparseEntry(_ group: SparseGroupInfo, datasets: [DatasetInfo], path: String,
                                    memory: MemoryBudget, precision: Precision) -> DatasetEntry {
        let members = datasets.filter { $0.path.hasPrefix(group.path + "/") && $0.rank == 1 }
        let read = members.filter { ["data", "indices", "indptr"].map { group.path + "/" + $0 }.contains($0.path) }
        let float32 = computesInFloat32(group.valueType, precision)
        var plan: StreamPlan?, problem: String?
        if let unreadable = read.lazy.compactMap({ member in member.unavailableFilter.map { (member.path, $0) } }).first {
            problem = Self.unreadable(unreadable.0, unreadable.1)
        } else {
            do {
                plan = try StreamPlan.sparse(rows: group.rows, columns: group.columns, nonZeros: group.nonZeros,
                                             elementBytes: float32 ? 4 : 8, budget: memory,
                                             source: "\(path):\(group.path)")
            } catch {
                problem = "\(error)"
            }
        }
        var filters: [DatasetFilter] = []
        for filter in read.flatMap(\.pipeline) where !filters.contains(filter) { filters.append(filter) }
        var entry = DatasetEntry(
            path: group.path, shape: [group.rows, group.columns], type: group.valueType.name, chunkShape: nil,
            filters: filters.map(\.description), storedBytes: members.reduce(0) { $0 + $1.storageBytes },
            dataBytes: members.reduce(0) { $0 + $1.shape.reduce(1, *) * max(1, $1.elementType.bits / 8) },
            plan: plan, planPrecision: float32 ? "float32" : "float64", planProblem: problem,
            sparse: SparseLayout(orientation: group.orientation.rawValue, storedShape: group.storedShape,
                                 nonZeros: group.nonZeros, density: group.density,
                                 rowsPerTile: TileSchedule.sparseRowsPerTile(rows: group.rows, columns: group.columns,
                                                                             nonZeros: group.nonZeros)))
        entry.unavailableFilters = filters.filter { !$0.isAvailable }.map(\.description)
        return entry
    }
}
