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
    /// For a matrix: what its rows and columns are (AnnData's observations and variables…).
    public var axes: MatrixAxes? = nil
    /// For a sparse group: how it is stored (the entry's shape is the matrix `factor` reads).
    public var sparse: SparseLayout? = nil
}

/// How a sparse group stores its matrix.
public struct SparseLayout: Sendable, Codable {
    /// "CSR" or "CSC": the axis of the stored shape that `indptr` runs over.
    public let orientation: String
    /// "AnnData", "h5sparse" or "10x": what the stored shape means.
    public let convention: String
    /// The shape as the group declares it (10x: features × barcodes, the transpose of the
    /// matrix read).
    public let storedShape: [Int]
    /// Whether `indptr` runs over the rows of the matrix read; if not (AnnData's CSC), `factor`
    /// puts it in row order first.
    public let rowsAreCompressed: Bool
    /// For a column-compressed matrix streamed: the disk its row-ordered copy needs at most
    /// in the scratch directory.
    public let rowOrderDiskBytes: Int?
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
            let info = try file.sparseGroup(group, readable: false)
            var entry = sparseEntry(info, datasets: datasets, path: path, memory: memory, precision: precision)
            entry.axes = try file.axes(of: info.path, sparse: info)
            return entry
        }
        return try sparse + datasets.map { info in
            var plan: StreamPlan?, planPrecision: String?, problem: String?
            if info.rank == 2, info.elementType.isNumeric {
                let float32 = precision.computesInFloat32(storedType: info.elementType)
                planPrecision = float32 ? "float32" : "float64"
                if let missing = info.unavailableFilter {
                    problem = unreadable(info.path, missing)
                } else {
                    do {
                        try file.checkReadable(dataset: info.path)
                        plan = try StreamPlan.dense(
                            rows: info.shape[0], columns: info.shape[1], storedType: info.elementType,
                            chunkRows: info.chunkShape?[0], filtered: !info.filters.isEmpty,
                            elementBytes: float32 ? 4 : 8, budget: memory, source: "\(path):\(info.path)")
                    } catch let error as HDF5StoreError {
                        problem = "cannot read it: \(error)"
                    } catch {
                        problem = "\(error)"
                    }
                }
            }
            var entry = DatasetEntry(path: info.path, shape: info.shape, type: info.elementType.name,
                                     chunkShape: info.chunkShape, filters: info.filters, storedBytes: info.storageBytes,
                                     dataBytes: info.dataBytes, plan: plan,
                                     planPrecision: planPrecision, planProblem: problem,
                                     axes: planPrecision == nil ? nil : try file.axes(of: info.path))
            entry.unavailableFilters = info.pipeline.filter { !$0.isAvailable }.map(\.description)
            return entry
        }
    }

    /// The plan line of data stored with a filter HDF5 cannot load.
    private static func unreadable(_ dataset: String, _ filter: DatasetFilter) -> String {
        "cannot read it: \(dataset) is stored with \(filter.phrase), which HDF5 cannot load: \(filter.remedy)"
    }

    /// Sizes as HDF5 reports them (a damaged file's may reach Int.max) added without trapping.
    private static func saturatingSum(_ sizes: [Int]) -> Int {
        sizes.reduce(0) { total, size in
            let (sum, overflow) = total.addingReportingOverflow(size)
            return overflow ? Int.max : sum
        }
    }

    private static func sparseEntry(_ group: SparseGroupInfo, datasets: [DatasetInfo], path: String,
                                    memory: MemoryBudget, precision: Precision) -> DatasetEntry {
        let members = datasets.filter { $0.path.hasPrefix(group.path + "/") && $0.rank == 1 }
        let read = members.filter { ["data", "indices", "indptr"].map { group.path + "/" + $0 }.contains($0.path) }
        let float32 = precision.computesInFloat32(storedType: group.valueType)
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
        let copyDiskBytes = group.rowsAreCompressed || plan?.mode != .streamed ? nil
            : float32 ? ColumnCompressedSource<Float>.copyDiskBytes(rows: group.rows, nonZeros: group.nonZeros,
                                                                    budgetBytes: memory.bytes)
            : ColumnCompressedSource<Double>.copyDiskBytes(rows: group.rows, nonZeros: group.nonZeros,
                                                           budgetBytes: memory.bytes)
        var filters: [DatasetFilter] = []
        for filter in read.flatMap(\.pipeline) where !filters.contains(filter) { filters.append(filter) }
        var entry = DatasetEntry(
            path: group.path, shape: [group.rows, group.columns], type: group.valueType.name, chunkShape: nil,
            filters: filters.map(\.description), storedBytes: saturatingSum(members.map(\.storageBytes)),
            dataBytes: saturatingSum(members.map(\.dataBytes)),
            plan: plan, planPrecision: float32 ? "float32" : "float64", planProblem: problem,
            sparse: SparseLayout(orientation: group.orientation.rawValue, convention: group.convention.rawValue,
                                 storedShape: group.storedShape, rowsAreCompressed: group.rowsAreCompressed,
                                 rowOrderDiskBytes: copyDiskBytes, nonZeros: group.nonZeros, density: group.density,
                                 rowsPerTile: TileSchedule.sparseRowsPerTile(rows: group.rows, columns: group.columns,
                                                                             nonZeros: group.nonZeros)))
        entry.unavailableFilters = filters.filter { !$0.isAvailable }.map(\.description)
        return entry
    }
}
