import HDF5Store
import NMFKernels

/// A 2-D dataset read the way every command reads its data (V for `factor` and
/// `transform`): the file opened read-only, the values in the working precision, the
/// matrix kept in memory when it takes at most half the budget and streamed in row
/// blocks otherwise (`StreamPlan`).
struct MatrixInput {
    let path: String
    let file: HDF5File
    /// Absolute path of the dataset inside the file.
    let dataset: String
    let storedType: ElementType
    let rows: Int
    let columns: Int

    /// `data.h5:/X`, as error messages name the data.
    var description: String { "\(path):\(dataset)" }

    /// Opens `path` read-only and finds `dataset`, or when it is nil the file's only 2-D
    /// numeric dataset; missing files and datasets fail here, before anything is created.
    init(path: String, dataset: String?) throws {
        self.path = path
        file = try HDF5File.openReadOnly(path)
        // The probe closes before the reader opens the dataset: HDF5 applies a chunk
        // cache only to the first open of a dataset.
        let (dataset, storedType, rows, columns) = try { [file] in
            let probe = try DenseRowBlockSource<Double>(file: file, dataset: dataset, blockRows: 1)
            return (probe.datasetPath, probe.storedType, probe.rows, probe.columns)
        }()
        (self.dataset, self.storedType, self.rows, self.columns) = (dataset, storedType, rows, columns)
    }

    /// Whether the work runs in float32: asked for, or `auto` on float32 data (scikit-learn
    /// keeps float32 in float32 and converts everything else to float64).
    func computesInFloat32(_ precision: Precision) -> Bool {
        switch precision {
        case .float32: true
        case .float64: false
        case .auto: storedType == Float.elementType
        }
    }

    /// Opens the reader in the working precision, makes the plan for `memory` (or
    /// `blockRows` per read), and hands the data to `reading`.
    func read<Reading: MatrixReading>(precision: Precision, memory: MemoryBudget, blockRows: Int?,
                                      _ reading: Reading) throws -> Reading.Output {
        computesInFloat32(precision)
            ? try read(as: Float.self, memory: memory, blockRows: blockRows, reading)
            : try read(as: Double.self, memory: memory, blockRows: blockRows, reading)
    }

    private func read<T: NMFScalar & HDF5Scalar, Reading: MatrixReading>(
        as _: T.Type, memory: MemoryBudget, blockRows: Int?, _ reading: Reading
    ) throws -> Reading.Output {
        let source = try DenseRowBlockSource<T>(file: file, dataset: dataset, blockRows: 1)
        let plan = try Factorization.plan(for: source, memory: memory, blockRows: blockRows, description: description)
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
    /// `data` is V in memory or streamed (per `plan`); `reader` is the dataset's reader
    /// either way: its statistics count every byte read, and it reads a few rows on demand.
    func read<Data: RowBlockProvider>(_ data: Data, reader: HDF5RowBlocks<Data.Element>, plan: StreamPlan) throws
        -> Output where Data.Element: HDF5Scalar
}
