import HDF5Store
import NMFKernels
#if canImport(Glibc)
import Glibc
#endif

/// What `blocknmf generate` writes: a planted non-negative rank-k matrix, V = W*·H* + noise.
public struct GenerationRequest: Sendable {
    public var output: String
    /// m: rows of V and W*.
    public var rows: Int
    /// n: columns of V and H*.
    public var columns: Int
    /// k: columns of W*, rows of H*.
    public var rank: Int
    /// s: each element of V gets s·u added, u uniform on [0, 1). 0 leaves V = W*·H* exactly.
    public var noise: Double
    public var seed: UInt32
    /// Rows per chunk of /X; nil chooses about 1 MiB per chunk.
    public var chunkRows: Int?
    public var compression: Compression
    public var storedType: StoredType
    /// Integer types store round(v · scale); ignored for float types, which store v as is.
    public var scale: Double
    /// Rows computed and written at a time; nil fits a block in `blockMemoryBytes`. Rounded
    /// down to a multiple of `DataGenerator.tileRows` (and at least one tile).
    public var blockRows: Int?
    /// Memory for one block of V (its values, and their integer form when stored as integers).
    public var blockMemoryBytes: Int
    /// d: each value is kept with probability d (the others are 0), by a third stream (`KeptValues`).
    public var density: Double = 1
    /// How V is stored: a dense dataset, or a sparse group.
    public var layout: MatrixLayout = .dense

    public init(output: String, rows: Int, columns: Int, rank: Int, noise: Double = 0, seed: UInt32 = 0,
                chunkRows: Int? = nil, compression: Compression = .none, storedType: StoredType = .float32,
                scale: Double = 1, blockRows: Int? = nil,
                blockMemoryBytes: Int = DataGenerator.defaultBlockMemoryBytes) {
        self.output = output
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.noise = noise
        self.seed = seed
        self.chunkRows = chunkRows
        self.compression = compression
        self.storedType = storedType
        self.scale = scale
        self.blockRows = blockRows
        self.blockMemoryBytes = blockMemoryBytes
    }

    /// Checks each parameter, naming it by its command-line flag.
    public func validate() throws(GenerationError) {
        func invalid(_ name: String, _ value: String, _ rule: String) -> GenerationError {
            .invalidParameter(name: name, value: value, requirement: rule)
        }
        guard rows >= 1 else { throw invalid("rows", "\(rows)", "must be at least 1") }
        guard columns >= 1 else { throw invalid("cols", "\(columns)", "must be at least 1") }
        guard rank >= 1 else { throw invalid("rank", "\(rank)", "must be at least 1") }
        guard noise >= 0, noise.isFinite else { throw invalid("noise", "\(noise)", "must be a finite number ≥ 0") }
        if let chunkRows, chunkRows < 1 { throw invalid("chunk-rows", "\(chunkRows)", "must be at least 1") }
        try compression.validate()
        guard scale > 0, scale.isFinite else { throw invalid("scale", "\(scale)", "must be a finite number > 0") }
        if let blockRows, blockRows < 1 { throw invalid("block-rows", "\(blockRows)", "must be at least 1") }
        guard density > 0, density <= 1 else { throw invalid("density", "\(density)", "must be in (0, 1]") }
        if layout != .dense, storedType.isInteger || compression != .none {
            throw invalid("layout", layout.rawValue, "stores float32 or float64 without compression")
        }
        guard blockMemoryBytes >= 1 else {
            throw invalid("memory", "\(blockMemoryBytes)", "must be at least 1 byte")
        }
    }
}

/// How `generate` stores V.
public enum MatrixLayout: String, Sendable, Codable, CaseIterable {
    /// A 2-D dataset /X.
    case dense
    /// An AnnData file (`AnnDataLayout`): the CSR group /X (`encoding-type` csr_matrix, `shape`
    /// attribute; rows are samples), /obs, /var, and W* and H* in /uns.
    case anndata
    /// 10x Genomics' /matrix: CSC of the transpose (features × barcodes, a `shape` dataset),
    /// so its columns are V's rows.
    case tenx = "10x"
}

/// How far a generation has come, reported after each block.
public struct GenerationProgress: Sendable {
    public let rowsWritten: Int
    public let rows: Int
    public let elapsedSeconds: Double
}

/// What a finished generation reports.
public struct GenerationSummary: Sendable, Codable {
    public var output: String
    public var rows: Int
    public var columns: Int
    public var rank: Int
    public var storedType: StoredType
    public var compression: String
    public var blockRows: Int
    /// Bytes of /X before compression: rows · columns · element size.
    public var dataBytes: Int
    /// Size of the whole file.
    public var bytesOnDisk: Int
    /// Integer values above the stored type's maximum, stored as that maximum.
    public var saturatedValues: Int
    public var elapsedSeconds: Double
}

/// Writes a planted low-rank non-negative matrix to HDF5 one block of rows at a time, so the
/// matrix can be far larger than memory. The file holds
///
///     /X        m×n   V = W*·H* + noise, in the stored type (or a sparse group: `MatrixLayout`)
///     /W_true   m×k   W*, in the working precision (float32 for float32 data, else float64)
///     /H_true   k×n   H*, likewise
///
/// (in an AnnData file, `AnnDataLayout`, W_true and H_true are in /uns, beside /obs and /var)
///
/// and root attributes `rows`, `cols`, `rank`, `noise`, `seed`, `type`, `generator`, and
/// `scale` for integer types.
///
/// The draws, defined so the file depends only on the request, never on the block size:
/// one `LegacyRandomState(seed)` stream gives H* (k×n, row-major), then W* (m×k,
/// row-major); a second stream, `LegacyRandomState(seed &+ 1)`, gives the noise u, drawn only
/// when s > 0. All draws are uniform on [0, 1) (NumPy's `random_sample`). With density 1,
/// in NumPy terms
///
///     r = RandomState(seed); H = r.random_sample((k, n)); W = r.random_sample((m, k))
///     V = W @ H + s * RandomState(seed + 1).random_sample((m, n))
///
/// with W·H by BLAS in the working precision, s·u formed in float64 and rounded to it, then
/// added. W*·H* is computed in tiles of `tileRows` rows that start at multiples of
/// `tileRows`; blocks are whole tiles, so every tile is the same product whatever the block
/// size, and so is every bit of the file.
///
/// With density d < 1 a third stream, `LegacyRandomState(seed &+ 2)`, picks the kept positions
/// (`KeptValues`: one draw per kept value), and only those are computed: the dot product of
/// W*'s row and H*'s column, summed over components in order, plus s·u with one noise draw
/// per kept value in row-major order; every other value is 0, whatever the layout (the sparse
/// layouts store exactly the kept values). The work and the draws follow the kept values.
///
/// Memory: one block of V (bounded by `blockMemoryBytes` unless `blockRows` is given), one
/// block of W*, H*, and HDF5's cache of two rows of chunks per dataset: O(b·n + k·n).
public enum DataGenerator {
    public static let tileRows = 64
    public static let defaultBlockMemoryBytes = 64 << 20
    /// The `generator` attribute of every generated file.
    public static let name = "blocknmf generate"

    public static func run(_ request: GenerationRequest,
                           onProgress: ((GenerationProgress) -> Void)? = nil) throws -> GenerationSummary {
        try request.validate()
        return request.storedType == .float32
            ? try generate(request, workingIn: Float.self, onProgress: onProgress)
            : try generate(request, workingIn: Double.self, onProgress: onProgress)
    }

    /// Rows of /X per chunk: the request's, else about 1 MiB, in whole tiles when a chunk
    /// holds at least one, so blocks can be whole chunks too.
    public static func chunkRows(for request: GenerationRequest) -> Int {
        if let chunkRows = request.chunkRows { return min(chunkRows, request.rows) }
        let rowBytes = max(request.columns * request.storedType.bytes, 1)
        let rows = max((1 << 20) / rowBytes, 1)
        return min(rows >= tileRows ? rows / tileRows * tileRows : rows, request.rows)
    }

    /// Rows per block: whole tiles, and whole chunks of /X when that fits the budget.
    public static func blockRows(for request: GenerationRequest) -> Int {
        let workingBytes = request.storedType == .float32 ? 4 : 8
        let integerBytes = request.storedType.isInteger ? request.storedType.bytes : 0
        let rowBytes = request.columns * (workingBytes + integerBytes) + request.rank * workingBytes
        let wanted = request.blockRows ?? request.blockMemoryBytes / max(rowBytes, 1)
        let aligned = leastCommonMultiple(tileRows, chunkRows(for: request))
        let unit = wanted >= aligned ? aligned : tileRows
        return min(max(wanted / unit, 1) * unit, request.rows)
    }

    private static func generate<T: NMFScalar & HDF5Scalar>(
        _ request: GenerationRequest, workingIn _: T.Type, onProgress: ((GenerationProgress) -> Void)?
    ) throws -> GenerationSummary {
        let clock = SuspendingClock(), start = clock.now
        let output = try PendingOutput(path: request.output)
        defer { output.discard() }
        let file = output.file
        let (rows, columns, rank) = (request.rows, request.columns, request.rank)
        let filters = request.compression.filters

        var factorStream = LegacyRandomState(seed: request.seed)
        let h = Matrix<T>(rows: rank, columns: columns) { _, _ in T(factorStream.nextUniform()) }
        // AnnData files keep W* and H* in `uns`: anndata reads every member of the root as a field.
        let factors = request.layout == .anndata ? AnnDataLayout.factorGroup : ""
        let hWriter = try RowBlockWriter<T>(
            file: file, dataset: "\(factors)/H_true", rows: rank, columns: columns,
            deflateLevel: filters.deflateLevel, shuffle: filters.shuffle)
        try hWriter.write(rows: 0..<rank, elements: h.elements)
        try hWriter.close()

        let wWriter = try RowBlockWriter<T>(
            file: file, dataset: "\(factors)/W_true", rows: rows, columns: rank,
            deflateLevel: filters.deflateLevel, shuffle: filters.shuffle)
        let sparse = request.density < 1
        var keeps = sparse ? KeptValues(seed: request.seed &+ 2, density: request.density) : nil
        let sparseSink = request.layout == .dense ? nil
            : try SparseValueSink<T>(request: request, file: file,
                                     nonZeros: keeps.map { $0.count(rows: rows, columns: columns) } ?? rows * columns)
        let sink = sparseSink == nil ? try ValueSink<T>(request: request, file: file, chunkRows: chunkRows(for: request)) : nil
        let rowNames = request.layout == .anndata ? try AnnDataLayout.rowNames(file: file, rows: rows) : nil
        var noiseStream = LegacyRandomState(seed: request.seed &+ 1)
        let noise = request.noise
        let blockRows = blockRows(for: request)
        // Kept values are single dot products of W*'s row and H*'s column, contiguous in Hᵀ.
        let ht = sparse ? h.transposed() : nil
        var saturated = 0

        for blockStart in stride(from: 0, to: rows, by: blockRows) {
            let block = blockStart..<min(blockStart + blockRows, rows)
            let w = Matrix<T>(rows: block.count, columns: rank) { _, _ in T(factorStream.nextUniform()) }
            try wWriter.write(rows: block, elements: w.elements)

            if let ht {
                let positions = keeps!.positions(before: block.upperBound * columns)
                let values = positions.map { position -> T in
                    let (row, column) = position.quotientAndRemainder(dividingBy: columns)
                    var value = T.zero
                    for component in 0..<rank { value += w[row - blockStart, component] * ht[column, component] }
                    return noise > 0 ? value + T(noise * noiseStream.nextUniform()) : value
                }
                if let sparseSink {
                    try sparseSink.write(rows: block, positions: positions, values: values)
                } else {
                    var dense = [T](repeating: 0, count: block.count * columns)
                    for (position, value) in zip(positions, values) { dense[position - blockStart * columns] = value }
                    saturated += try sink!.write(block, dense)
                }
            } else {
                var values = Matrix<T>(rows: block.count, columns: columns)
                for tileStart in stride(from: 0, to: block.count, by: tileRows) {
                    let tile = tileStart..<min(tileStart + tileRows, block.count)
                    values.replaceRows(startingAt: tileStart, with: Matrix.product(w.rows(tile), h))
                }
                if noise > 0 {
                    for index in values.elements.indices {
                        values.elements[index] += T(noise * noiseStream.nextUniform())
                    }
                }
                if let sparseSink {
                    try sparseSink.write(rows: block, positions: (blockStart * columns)..<(block.upperBound * columns),
                                         values: values.elements)
                } else {
                    saturated += try sink!.write(block, values.elements)
                }
            }
            try rowNames?.write(block, AnnDataLayout.names(block))
            onProgress?(GenerationProgress(rowsWritten: block.upperBound, rows: rows,
                                           elapsedSeconds: (clock.now - start) / .seconds(1)))
        }
        try wWriter.close()
        try sink?.close()
        try sparseSink?.close()
        if let rowNames { try AnnDataLayout.finish(file: file, columns: columns, rowNames: rowNames) }

        var attributes: [(String, AttributeValue)] = [
            ("rows", .integer(rows)), ("cols", .integer(columns)), ("rank", .integer(rank)),
            ("noise", .double(noise)), ("seed", .integer(Int(request.seed))),
            ("type", .string(request.storedType.rawValue)), ("generator", .string(name)),
            ("density", .double(request.density)), ("layout", .string(request.layout.rawValue)),
        ]
        if request.storedType.isInteger { attributes.append(("scale", .double(request.scale))) }
        for (name, value) in attributes { try file.setAttribute(name, value) }
        try output.commit()

        return GenerationSummary(
            output: request.output, rows: rows, columns: columns, rank: rank, storedType: request.storedType,
            compression: request.compression.description, blockRows: blockRows,
            dataBytes: rows * columns * request.storedType.bytes, bytesOnDisk: fileSize(request.output),
            saturatedValues: saturated, elapsedSeconds: (clock.now - start) / .seconds(1))
    }

    private static func fileSize(_ path: String) -> Int {
        var status = stat()
        return stat(path, &status) == 0 ? Int(status.st_size) : 0
    }

    private static func leastCommonMultiple(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return a / x * b
    }
}

extension Compression {
    var filters: (deflateLevel: Int?, shuffle: Bool) {
        switch self {
        case .none: (nil, false)
        case .gzip(let level): (level, true)
        }
    }
}

/// Which values the density keeps: the gaps between kept positions (counted in row-major
/// order over all m×n values) are geometric, one uniform draw u each,
/// gap = ⌊log(1 − u) / log(1 − d)⌋, so each value is kept with probability d independently
/// and the work follows the kept values, not m·n.
private struct KeptValues {
    let seed: UInt32
    let density: Double
    private let logOfMissing: Double
    private var stream: LegacyRandomState
    /// The next kept position, drawn ahead.
    private var next: Int

    init(seed: UInt32, density: Double) {
        self.seed = seed
        self.density = density
        logOfMissing = log1p(-density)
        stream = LegacyRandomState(seed: seed)
        next = -1
        next = following(next)
    }

    private mutating func following(_ position: Int) -> Int {
        let gap = (log1p(-stream.nextUniform()) / logOfMissing).rounded(.down)
        // A gap beyond any matrix ends the draws (log(1 − u) is finite: u < 1).
        return gap < Double(Int.max / 4) ? position + 1 + Int(gap) : Int.max / 2
    }

    /// Calls `body` with each kept position below `end`, in order (those not yet visited).
    mutating func forEachPosition(before end: Int, _ body: (Int) -> Void) {
        while next < end {
            body(next)
            next = following(next)
        }
    }

    mutating func positions(before end: Int) -> [Int] {
        var kept: [Int] = []
        forEachPosition(before: end) { kept.append($0) }
        return kept
    }

    /// The number kept among m×n values: the same draws, made once more.
    func count(rows: Int, columns: Int) -> Int {
        var copy = KeptValues(seed: seed, density: density)
        var kept = 0
        copy.forEachPosition(before: rows * columns) { _ in kept += 1 }
        return kept
    }
}

/// Blocks of V written as a sparse group: the non-zero values with their columns, and the
/// row offsets, as AnnData's CSR /X or 10x's /matrix (the same three arrays: the CSC of Vᵀ).
private final class SparseValueSink<T: NMFScalar & HDF5Scalar> {
    private let file: HDF5File
    private let group: String
    private let layout: MatrixLayout
    private let rows: Int
    private let columns: Int
    private let data: RowBlockWriter<T>
    private let indices: RowBlockWriter<Int32>
    private var offsets: [Int64] = [0]

    init(request: GenerationRequest, file: HDF5File, nonZeros: Int) throws {
        self.file = file
        layout = request.layout
        group = request.layout == .tenx ? "/matrix" : "/X"
        (rows, columns) = (request.rows, request.columns)
        data = try RowBlockWriter<T>(file: file, vector: "\(group)/data", count: nonZeros)
        indices = try RowBlockWriter<Int32>(file: file, vector: "\(group)/indices", count: nonZeros)
        offsets.reserveCapacity(rows + 1)
    }

    /// Appends rows `block`, whose `values` sit at row-major `positions` of V, in order: a range
    /// when every value is kept, so that no array of the block's positions is made.
    func write(rows block: Range<Int>, positions: some Collection<Int>, values: [T]) throws {
        let base = Int(offsets[offsets.count - 1])
        var columnIndices = [Int32](repeating: 0, count: values.count)
        var next = 0
        var position = positions.makeIterator(), current = position.next()
        for row in block {
            let end = (row + 1) * columns
            while let kept = current, kept < end {
                columnIndices[next] = Int32(kept - row * columns)
                next += 1
                current = position.next()
            }
            offsets.append(Int64(base + next))
        }
        try data.write(rows: base..<(base + values.count), elements: values)
        try indices.write(rows: base..<(base + values.count), elements: columnIndices)
    }

    func close() throws {
        try data.close()
        try indices.close()
        try file.write(dataset: "\(group)/indptr", shape: [offsets.count], elements: offsets)
        switch layout {
        case .anndata:
            try file.setAttribute("encoding-type", .string("csr_matrix"), on: group)
            try file.setAttribute("encoding-version", .string("0.1.0"), on: group)
            try file.setAttribute("shape", integers: [rows, columns], on: group)
        case .tenx:
            try file.write(dataset: "\(group)/shape", shape: [2], elements: [Int32(columns), Int32(rows)])
        case .dense:
            preconditionFailure("a dense layout has no sparse group")
        }
    }
}

/// Where blocks of V go: to /X as they are for float types (the working precision is then
/// the stored type), or through `IntegerRounding` for integer types.
private struct ValueSink<T: NMFScalar & HDF5Scalar> {
    /// Writes a block and returns how many values saturated.
    let write: (Range<Int>, [T]) throws -> Int
    let close: () throws -> Void

    init(request: GenerationRequest, file: HDF5File, chunkRows: Int) throws {
        switch request.storedType {
        case .float32, .float64:
            let writer = try Self.writer(T.self, request: request, file: file, chunkRows: chunkRows)
            self.init(write: { rows, values in
                try writer.write(rows: rows, elements: values)
                return 0
            }, close: writer.close)
        case .uint8: try self.init(rounding: UInt8.self, request: request, file: file, chunkRows: chunkRows)
        case .uint16: try self.init(rounding: UInt16.self, request: request, file: file, chunkRows: chunkRows)
        case .uint32: try self.init(rounding: UInt32.self, request: request, file: file, chunkRows: chunkRows)
        case .uint64: try self.init(rounding: UInt64.self, request: request, file: file, chunkRows: chunkRows)
        case .int8: try self.init(rounding: Int8.self, request: request, file: file, chunkRows: chunkRows)
        case .int16: try self.init(rounding: Int16.self, request: request, file: file, chunkRows: chunkRows)
        case .int32: try self.init(rounding: Int32.self, request: request, file: file, chunkRows: chunkRows)
        case .int64: try self.init(rounding: Int64.self, request: request, file: file, chunkRows: chunkRows)
        }
    }

    private init<Stored: FixedWidthInteger & HDF5Storable>(
        rounding _: Stored.Type, request: GenerationRequest, file: HDF5File, chunkRows: Int
    ) throws {
        let writer = try Self.writer(Stored.self, request: request, file: file, chunkRows: chunkRows)
        let rounding = IntegerRounding<Stored>(scale: request.scale)
        self.init(write: { rows, values in
            let (stored, saturated) = rounding.round(values)
            try writer.write(rows: rows, elements: stored)
            return saturated
        }, close: writer.close)
    }

    private init(write: @escaping (Range<Int>, [T]) throws -> Int, close: @escaping () throws -> Void) {
        self.write = write
        self.close = close
    }

    private static func writer<Stored: HDF5Storable>(
        _: Stored.Type, request: GenerationRequest, file: HDF5File, chunkRows: Int
    ) throws -> RowBlockWriter<Stored> {
        let filters = request.compression.filters
        return try RowBlockWriter<Stored>(
            file: file, dataset: "/X", rows: request.rows, columns: request.columns, chunkRows: chunkRows,
            deflateLevel: filters.deflateLevel, shuffle: filters.shuffle)
    }
}
