import HDF5Store
import NMFKernels

/// A 2-D dataset or a sparse group read the way every command reads its data (V for
/// `factor` and `transform`): the file opened read-only, the values in the working
/// precision, the matrix kept in memory when it takes at most half the budget and streamed
/// in row blocks otherwise (`StreamPlan`).
struct MatrixInput {
    let path: String
    let file: HDF5File
    /// Absolute path of the dataset (or sparse group) inside the file.
    let dataset: String
    /// The sparse group V is read from, when it is one.
    let sparse: SparseGroupInfo?
    let storedType: ElementType
    let rows: Int
    let columns: Int
    /// What V's rows and columns are in the file's convention (AnnData's observations…).
    let axes: MatrixAxes

    /// `data.h5:/X`, as error messages name the data.
    var description: String { "\(path):\(dataset)" }

    /// Opens `path` read-only and finds `dataset` (a 2-D dataset or a sparse group), or when
    /// it is nil the file's only 2-D numeric dataset or sparse group — or an AnnData file's
    /// `X`, its matrix whatever else it holds; missing files and datasets fail here, before
    /// anything is created.
    init(path: String, dataset: String?) throws {
        self.path = path
        file = try HDF5File.openReadOnly(path)
        let named = try dataset ?? Self.defaultMatrix(in: file)
        if try file.kind(of: named) == .group {
            let info = try file.sparseGroup(named)
            sparse = info
            (self.dataset, storedType, rows, columns) = (info.path, info.valueType, info.rows, info.columns)
            axes = try file.axes(of: info.path, sparse: info)
            return
        }
        sparse = nil
        // The probe closes before the reader opens the dataset: HDF5 applies a chunk
        // cache only to the first open of a dataset.
        let (dataset, storedType, rows, columns) = try { [file] in
            let probe = try DenseRowBlockSource<Double>(file: file, dataset: named, blockRows: 1)
            return (probe.datasetPath, probe.storedType, probe.rows, probe.columns)
        }()
        (self.dataset, self.storedType, self.rows, self.columns) = (dataset, storedType, rows, columns)
        axes = try file.axes(of: dataset)
    }

    /// The matrix read when none is named: the file's only 2-D numeric dataset or sparse
    /// group, or an AnnData file's `X` (beside `layers`, `raw`, `obsm`…).
    private static func defaultMatrix(in file: HDF5File) throws -> String {
        let candidates = try file.matrixPaths()
        if candidates.count == 1 { return candidates[0] }
        if candidates.contains("/X"), try file.isAnnData() { return "/X" }
        throw HDF5StoreError.ambiguousDataset(path: file.path, available: try file.matrixDescriptions())
    }

    /// Whether the work runs in float32: asked for, or `auto` on float32 data (scikit-learn
    /// keeps float32 in float32 and converts everything else to float64).
    func computesInFloat32(_ precision: Precision) -> Bool {
        precision.computesInFloat32(storedType: storedType)
    }

    /// Opens the reader in the working precision, makes the plan for what `memory` leaves
    /// beside the work's reserve (`MatrixReading.reservedBytes`; or `blockRows` per read), puts a column-compressed matrix in row order (`rowOrder`), and
    /// hands the data to `reading`.
    func read<Reading: MatrixReading>(precision: Precision, memory: MemoryBudget, blockRows: Int?,
                                      rowOrder: RowOrderSettings, _ reading: Reading) throws -> Reading.Output {
        computesInFloat32(precision)
            ? try read(as: Float.self, memory: memory, blockRows: blockRows, rowOrder: rowOrder, reading)
            : try read(as: Double.self, memory: memory, blockRows: blockRows, rowOrder: rowOrder, reading)
    }

    private func read<T: NMFScalar & HDF5Scalar, Reading: MatrixReading>(
        as _: T.Type, memory: MemoryBudget, blockRows: Int?, rowOrder: RowOrderSettings, _ reading: Reading
    ) throws -> Reading.Output {
        let rowsPerTile = sparse.map {
            TileSchedule.sparseRowsPerTile(rows: rows, columns: columns, nonZeros: $0.nonZeros)
        } ?? TileSchedule.rowsPerTile
        let reserved = try reading.reservedBytes(rows: rows, columns: columns, elementBytes: MemoryLayout<T>.stride,
                                                 rowsPerTile: rowsPerTile)
        let forV = MemoryBudget(bytes: memory.bytes - reserved)
        if let sparse {
            var plan = try StreamPlan.sparse(rows: rows, columns: columns, nonZeros: sparse.nonZeros,
                                             elementBytes: MemoryLayout<T>.stride, budget: forV,
                                             blockRowsOverride: blockRows, source: description)
            // Row offsets, 8 bytes a row: the reader's, and while columns are put in row order,
            // each row's count of values and where its next one goes too.
            let offsetBytes = rows < Int.max / 32 ? (rows + 1) * MemoryLayout<Int>.stride * (sparse.rowsAreCompressed ? 1 : 3)
                : Int.max
            guard offsetBytes <= MachineMemory.bytes else {
                throw ResourceError.rowsNeedMoreMemory(source: description, rows: rows, needed: offsetBytes,
                                                       machine: MachineMemory.bytes)
            }
            try reading.check(plan: plan, elementBytes: MemoryLayout<T>.stride, rowsPerTile: rowsPerTile)
            let source: SparseRowSource<T>
            if sparse.rowsAreCompressed {
                source = try SparseRowSource<T>(file: file, group: dataset)
            } else {
                let columnSource = try ColumnCompressedSource<T>(file: file, group: dataset)
                if plan.mode == .resident {
                    let (blocks, order) = try RowOrder.inMemory(columnSource, settings: rowOrder, description: description)
                    plan.rowOrder = order
                    return try reading.read(blocks, reader: blocks, plan: plan)
                }
                (source, plan.rowOrder) = try RowOrder.copy(columnSource, budgetBytes: memory.bytes, settings: rowOrder)
            }
            let blocks = try SparseRowBlocks(source: source, valuesPerBlock: plan.valuesPerBlock,
                                             blockRows: plan.mode == .streamed && plan.valuesPerBlock == nil ? plan.blockRows : nil,
                                             sourceDescription: description)
            return try reading.read(blocks, reader: blocks, plan: plan)
        }
        let source = try DenseRowBlockSource<T>(file: file, dataset: dataset, blockRows: 1)
        let plan: StreamPlan
        do {
            plan = try StreamPlan.dense(
                rows: rows, columns: columns, storedType: source.storedType, chunkRows: source.chunkRows,
                filtered: !source.filters.isEmpty, elementBytes: MemoryLayout<T>.stride, budget: forV,
                blockRowsOverride: blockRows, source: description)
        } catch NMFError.budgetTooSmall(let source, _, let needed, let chunkRows, _) where reserved > 0 {
            throw NMFError.budgetTooSmall(source: source, budget: memory.bytes, needed: needed + reserved,
                                          chunkRows: chunkRows, reserved: reserved)
        }
        try reading.check(plan: plan, elementBytes: MemoryLayout<T>.stride, rowsPerTile: rowsPerTile)
        let streamed = try HDF5RowBlocks(source: source, blockRows: plan.blockRows, sourceDescription: description)
        // Two concrete calls rather than one through `any RowBlockProvider`, so the
        // engine is compiled for each source type.
        switch plan.mode {
        case .resident:
            let data = InMemoryRowBlocks(try streamed.readAll(), sourceDescription: description)
            return try reading.read(data, reader: streamed, plan: plan)
        case .streamed:
            return try reading.read(streamed, reader: streamed, plan: plan)
        }
    }
}

/// What a command does with its data once it is open, generic over how the rows arrive.
protocol MatrixReading {
    associatedtype Output
    /// Called once the plan is made, before V is read or put in row order, with the working
    /// precision's element size and the tile height the provider will have: what can tell
    /// that the work will not fit (memory, disk) says so before any of it.
    func check(plan: StreamPlan, elementBytes: Int, rowsPerTile: Int) throws
    /// Memory the work holds beside V's buffers that grows with V's rows, taken from the budget
    /// before V's buffers are planned (the budget then bounds both).
    func reservedBytes(rows: Int, columns: Int, elementBytes: Int, rowsPerTile: Int) throws -> Int
    /// `data` is V in memory or streamed (per `plan`); `reader` is the dataset's reader
    /// either way: its statistics count every byte read, and it reads a few rows on demand.
    func read<Data: RowBlockProvider, Reader: MatrixReader<Data.Element>>(_ data: Data, reader: Reader,
                                                                         plan: StreamPlan) throws
        -> Output where Data.Element: HDF5Scalar
}

extension MatrixReading {
    func check(plan: StreamPlan, elementBytes: Int, rowsPerTile: Int) throws {}
    func reservedBytes(rows: Int, columns: Int, elementBytes: Int, rowsPerTile: Int) throws -> Int { 0 }
}
