#if canImport(Glibc)
import FileStorage
import Glibc
#endif

/// A sparse group whose `indptr` runs over the columns of the matrix read (AnnData's and
/// h5sparse's CSC: observations × variables compressed by variables), rewritten by rows.
///
/// A block of rows of such a matrix is spread over every column, so it is read once, in
/// column order, and each value is sent to its row. Rows are cut into buckets: ranges of rows
/// whose values the budget can sort at once. Read in column order, a bucket receives its
/// values by increasing column, and a counting sort by row, which keeps that order, gives
/// each row its values by increasing column: the arrays of the CSR of the same matrix, so a
/// fit reads the same rows, bit for bit, as from a CSR file. With one bucket the work is done
/// in memory (`transposed`); with more, the values go to a spill file a bucket's region at a
/// time and each bucket is then sorted into the copy (`writeRowCompressedCopy`).
///
/// Thread safety: as `DenseRowBlockSource`, one thread at a time.
public final class ColumnCompressedSource<Element: HDF5Scalar>: @unchecked Sendable {
    public let file: HDF5File
    public let info: SparseGroupInfo
    /// `offsets`: where each column's values start, and where the last ends.
    private let arrays: CompressedArrays

    public var rows: Int { info.rows }
    public var columns: Int { info.columns }
    public var nonZeros: Int { info.nonZeros }

    public init(file: HDF5File, group: String) throws {
        let info = try file.sparseGroup(group)
        let invalid = { (reason: String) in info.invalid(reason, in: file) }
        guard !info.rowsAreCompressed else {
            throw invalid("its indptr runs over the matrix's rows; read it through SparseRowSource")
        }
        guard info.rows <= Int(Int32.max), info.columns <= Int(Int32.max) else {
            throw invalid("its shape \(info.rows)×\(info.columns) exceeds 32-bit indices")
        }
        self.file = file
        self.info = info
        arrays = try CompressedArrays(file: file, info: info, axis: "column")
    }

    /// The values a bucket holds at most under `budgetBytes`: half the budget holds them
    /// while they are sorted (each spilled record read back, and its column and value in
    /// the sorted arrays); the other half, the pieces read and the buffers of the spill.
    public static func bucketCapacity(budgetBytes: Int) -> Int {
        let bytesPerValue = MemoryLayout<SpillRecord<Element>>.stride + MemoryLayout<Int32>.stride
            + MemoryLayout<Element>.stride
        return max(1, budgetBytes / 2 / bytesPerValue)
    }

    /// Disk a row-compressed copy of `nonZeros` values in `rows` rows needs at most while it
    /// is made under `budgetBytes`: the copy (values, 32-bit columns, row offsets) and, when
    /// the values take more than one bucket, the spill file they are sorted from.
    public static func copyDiskBytes(rows: Int, nonZeros: Int, budgetBytes: Int) -> Int {
        let copy = nonZeros * (MemoryLayout<Element>.stride + MemoryLayout<Int32>.stride)
            + (rows + 1) * MemoryLayout<Int64>.stride
        let spill = nonZeros > bucketCapacity(budgetBytes: budgetBytes) ? nonZeros * MemoryLayout<SpillRecord<Element>>.stride : 0
        return copy + spill
    }

    /// The matrix's row-compressed arrays, made in memory: the rows' offsets, and their
    /// columns (increasing within a row) and values. Needs about twice the group's values
    /// in memory. `progress` receives the values handled since its last call (2 per value).
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public func transposed(pieceValues: Int = 1 << 22, progress: (Int) throws -> Void = { _ in })
        throws -> (offsets: [Int], columns: [Int32], values: [Element])
    {
        let offsets = try rowOffsets(pieceValues: pieceValues, progress: progress)
        let sorted = try sortedInMemory(offsets: offsets, pieceValues: pieceValues, progress: progress)
        return (offsets, sorted.columns, sorted.values)
    }

    /// Writes the matrix compressed by rows into `copy`, a new, empty file — group `/X`,
    /// AnnData's CSR encoding, `data` in `Element`, 32-bit `indices` — using about
    /// `budgetBytes` of memory. When one bucket does not hold every value, they are spilled
    /// to a working file in `spillDirectory`, unlinked at once; its sorted regions are given back to the
    /// file system bucket by bucket. `progress` receives the values handled since its last
    /// call (2 per value with one bucket, 3 with more). Returns the buckets.
    @discardableResult
    @_specialize(exported: true, where Element == Float)
    @_specialize(exported: true, where Element == Double)
    public func writeRowCompressedCopy(into copy: HDF5File, spillDirectory: String, budgetBytes: Int,
                                       pieceValues: Int = 1 << 22,
                                       progress: (Int) throws -> Void = { _ in }) throws -> Int {
        let offsets = try rowOffsets(pieceValues: pieceValues, progress: progress)
        let buckets = Self.buckets(rowOffsets: offsets, capacity: Self.bucketCapacity(budgetBytes: budgetBytes))
        let group = "/X"
        try copy.createGroup(group)
        try copy.setAttribute("encoding-type", .string("csr_matrix"), on: group)
        try copy.setAttribute("encoding-version", .string("0.1.0"), on: group)
        try copy.setAttribute("shape", integers: [rows, columns], on: group)
        let rowPointers = try RowBlockWriter<Int64>(file: copy, vector: "\(group)/indptr", count: rows + 1)
        try rowPointers.write(rows: 0..<(rows + 1), elements: offsets.map { Int64($0) })
        try rowPointers.close()
        let columnWriter = try RowBlockWriter<Int32>(file: copy, vector: "\(group)/indices", count: nonZeros)
        let valueWriter = try RowBlockWriter<Element>(file: copy, vector: "\(group)/data", count: nonZeros)
        if buckets.count == 1 {
            let sorted = try sortedInMemory(offsets: offsets, pieceValues: pieceValues, progress: progress)
            try columnWriter.write(rows: 0..<nonZeros, elements: sorted.columns)
            try valueWriter.write(rows: 0..<nonZeros, elements: sorted.values)
        } else {
            let spill = try ScratchRowFile<SpillRecord<Element>>.temporary(in: spillDirectory, prefix: ".blocknmf-spill-",
                                                                           rows: nonZeros, columns: 1)
            try spillByBucket(spill, buckets: buckets, offsets: offsets, bufferBytes: budgetBytes / 4,
                              pieceValues: pieceValues, progress: progress)
            for bucket in buckets {
                let stored = offsets[bucket.lowerBound]..<offsets[bucket.upperBound]
                let (columnIndices, values) = Self.sortByRow(try spill.read(rows: stored), rows: bucket,
                                                             offsets: offsets)
                try columnWriter.write(rows: stored, elements: columnIndices)
                try valueWriter.write(rows: stored, elements: values)
                spill.release(rows: stored)
                try progress(stored.count)
            }
        }
        try columnWriter.close()
        try valueWriter.close()
        try copy.flush()
        return buckets.count
    }

    /// Where each row's values start in the row-compressed arrays, from the rows' counts of
    /// values read from `indices`, each checked to lie in the matrix.
    private func rowOffsets(pieceValues: Int, progress: (Int) throws -> Void) throws -> [Int] {
        var offsets = [Int](repeating: 0, count: rows + 1)
        for start in stride(from: 0, to: nonZeros, by: pieceValues) {
            let range = start..<min(start + pieceValues, nonZeros)
            let rowIndices = try checkedRows(range)
            offsets.withUnsafeMutableBufferPointer { counts in
                for row in rowIndices { counts[Int(row) + 1] += 1 }
            }
            try progress(range.count)
        }
        for row in 0..<rows { offsets[row + 1] += offsets[row] }
        return offsets
    }

    /// The row indices of values `range`, checked: one unsigned maximum (vectorized) rules
    /// out both negative and too-large rows; only a piece that has one searches for it.
    private func checkedRows(_ range: Range<Int>) throws -> [Int32] {
        let rowIndices = try arrays.indices.read(range, as: Int32.self)
        let limit = UInt32(rows)
        let largest = rowIndices.withUnsafeBufferPointer { indices in
            indices.reduce(UInt32(0)) { Swift.max($0, UInt32(bitPattern: $1)) }
        }
        if largest >= limit, let position = rowIndices.firstIndex(where: { UInt32(bitPattern: $0) >= limit }) {
            throw HDF5StoreError.invalidSparseGroup(
                path: file.path, group: info.path,
                reason: "column \(column(of: range.lowerBound + position)) has a value in row \(rowIndices[position]), "
                    + "outside 0..<\(rows)")
        }
        return rowIndices
    }

    /// The column holding value `position`: the last whose values start at or before it.
    private func column(of position: Int) -> Int {
        let columnOffsets = arrays.offsets
        var (low, high) = (0, columns)  // columnOffsets[low] ≤ position < columnOffsets[high]
        while high - low > 1 {
            let middle = (low + high) / 2
            if columnOffsets[middle] <= position { low = middle } else { high = middle }
        }
        return low
    }

    /// Calls `body` with each piece of at most `pieceValues` values, in column order: the
    /// column of each value, its row and the value.
    private func forEachPiece(pieceValues: Int,
                              _ body: (_ columnIndices: [Int32], _ rowIndices: [Int32], _ values: [Element]) throws -> Void)
        throws
    {
        let columnOffsets = arrays.offsets
        var column = 0
        for start in stride(from: 0, to: nonZeros, by: pieceValues) {
            let range = start..<min(start + pieceValues, nonZeros)
            let rowIndices = try checkedRows(range)
            let values = try arrays.data.read(range, as: Element.self)
            let columnIndices = [Int32](unsafeUninitializedCapacity: range.count) { buffer, initialized in
                for position in range {
                    while columnOffsets[column + 1] <= position { column += 1 }
                    buffer[position - start] = Int32(column)
                }
                initialized = range.count
            }
            try body(columnIndices, rowIndices, values)
        }
    }

    /// Every value placed at its row's next free position: one bucket, in memory.
    private func sortedInMemory(offsets: [Int], pieceValues: Int, progress: (Int) throws -> Void) throws
        -> (columns: [Int32], values: [Element])
    {
        var placement = RowPlacement(offsets: offsets, rows: 0..<rows, zero: Element(0))
        try forEachPiece(pieceValues: pieceValues) { columnIndices, rowIndices, values in
            placement.place(rowIndices: rowIndices, columnIndices: columnIndices, values: values)
            try progress(values.count)
        }
        return (placement.columns, placement.values)
    }

    /// Every value appended, with its row and column, to its bucket's region of the spill
    /// file (the bucket's positions in the row-compressed arrays), through one buffer per
    /// bucket sharing `bufferBytes`.
    private func spillByBucket(_ spill: ScratchRowFile<SpillRecord<Element>>, buckets: [Range<Int>], offsets: [Int],
                               bufferBytes: Int, pieceValues: Int, progress: (Int) throws -> Void) throws {
        var spilling = SpillBuffers(spill: spill, buckets: buckets, offsets: offsets, bufferBytes: bufferBytes)
        try forEachPiece(pieceValues: pieceValues) { columnIndices, rowIndices, values in
            for index in rowIndices.indices {
                try spilling.append(SpillRecord(row: UInt32(rowIndices[index]), column: columnIndices[index],
                                                value: values[index]))
            }
            try progress(values.count)
        }
        try spilling.flushAll()
    }

    /// A bucket's records, in column order, put in row order by a stable counting sort.
    private static func sortByRow(_ records: [SpillRecord<Element>], rows: Range<Int>, offsets: [Int])
        -> (columns: [Int32], values: [Element])
    {
        var placement = RowPlacement(offsets: offsets, rows: rows, zero: Element(0))
        placement.place(records)
        return (placement.columns, placement.values)
    }

    /// Ranges of rows holding at most `capacity` values each (a row with more is a bucket of
    /// its own).
    public static func buckets(rowOffsets offsets: [Int], capacity: Int) -> [Range<Int>] {
        let rows = offsets.count - 1
        var buckets: [Range<Int>] = []
        var start = 0
        for row in 0..<rows where row > start && offsets[row + 1] - offsets[start] > capacity {
            buckets.append(start..<row)
            start = row
        }
        buckets.append(start..<rows)
        return buckets
    }
}

/// A value on its way to its row: what the spill file holds.
struct SpillRecord<Value: BitwiseCopyable>: BitwiseCopyable {
    var row: UInt32
    var column: Int32
    var value: Value
}

/// The buffers a pass over the columns fills, one per bucket of rows, each written to its
/// bucket's next free positions of the spill file when full.
private struct SpillBuffers<Value: BitwiseCopyable> {
    let spill: ScratchRowFile<SpillRecord<Value>>
    let bucketStarts: [Int]
    let capacity: Int
    var buffers: [[SpillRecord<Value>]]
    /// Where each bucket's next records go.
    var next: [Int]

    init(spill: ScratchRowFile<SpillRecord<Value>>, buckets: [Range<Int>], offsets: [Int], bufferBytes: Int) {
        self.spill = spill
        bucketStarts = buckets.map(\.lowerBound)
        capacity = max(1 << 12, bufferBytes / buckets.count / MemoryLayout<SpillRecord<Value>>.stride)
        buffers = [[SpillRecord<Value>]](repeating: [], count: buckets.count)
        next = buckets.map { offsets[$0.lowerBound] }
    }

    mutating func append(_ record: SpillRecord<Value>) throws {
        let bucket = self.bucket(of: Int(record.row))
        if buffers[bucket].isEmpty { buffers[bucket].reserveCapacity(capacity) }
        buffers[bucket].append(record)
        if buffers[bucket].count == capacity { try flush(bucket) }
    }

    mutating func flushAll() throws {
        for bucket in buffers.indices where !buffers[bucket].isEmpty { try flush(bucket) }
    }

    private mutating func flush(_ bucket: Int) throws {
        try spill.write(rows: next[bucket], elements: buffers[bucket])
        next[bucket] += buffers[bucket].count
        buffers[bucket].removeAll(keepingCapacity: true)
    }

    /// The last bucket starting at or before `row`.
    private func bucket(of row: Int) -> Int {
        var (low, high) = (0, bucketStarts.count)  // bucketStarts[low] ≤ row < bucketStarts[high]
        while high - low > 1 {
            let middle = (low + high) / 2
            if bucketStarts[middle] <= row { low = middle } else { high = middle }
        }
        return low
    }
}
