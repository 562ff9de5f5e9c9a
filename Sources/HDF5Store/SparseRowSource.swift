/// Rows of a sparse group (`SparseGroupInfo`: CSR as stored, CSC as its transpose) read a
/// block of rows at a time, values converted by HDF5 to `Element`.
///
/// Thread safety: as `DenseRowBlockSource`, one thread at a time.
public final class SparseRowSource<Element: HDF5Scalar>: @unchecked Sendable {
    public let file: HDF5File
    public let info: SparseGroupInfo
    private let arrays: CompressedArrays
    /// Where each row's values start, and where the last ends (`indptr`, held in memory:
    /// 8 bytes per row).
    public var offsets: [Int] { arrays.offsets }

    public var rows: Int { info.rows }
    public var columns: Int { info.columns }
    public var nonZeros: Int { info.nonZeros }

    public init(file: HDF5File, group: String) throws {
        let info = try file.sparseGroup(group)
        let invalid = { (reason: String) in info.invalid(reason, in: file) }
        guard info.rowsAreCompressed else {
            throw invalid("its indptr runs over the matrix's columns; read it through ColumnCompressedSource")
        }
        self.file = file
        self.info = info
        arrays = try CompressedArrays(file: file, info: info, axis: "row")
    }

    /// Values stored in rows `range`.
    public func nonZeros(in range: Range<Int>) -> Int { offsets[range.upperBound] - offsets[range.lowerBound] }

    /// Rows `range`: where each row's values start (counted from the first row's), their
    /// columns and their values. Duplicate columns in a row are kept (they add up).
    public func readRows(_ range: Range<Int>) throws -> (offsets: [Int], columns: [Int32], values: [Element]) {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw HDF5StoreError.rowRangeOutOfBounds(path: file.path, dataset: info.path, range: range, rows: rows)
        }
        let first = offsets[range.lowerBound]
        let stored = first..<offsets[range.upperBound]
        let columnIndices = try arrays.indices.read(stored, as: Int32.self)
        // One unsigned maximum (vectorized) rules out both negative and too-large columns;
        // only a block that has one searches for it.
        let limit = UInt32(columns)
        let largest = columnIndices.withUnsafeBufferPointer { indices in
            indices.reduce(UInt32(0)) { Swift.max($0, UInt32(bitPattern: $1)) }
        }
        if largest >= limit, let position = columnIndices.firstIndex(where: { UInt32(bitPattern: $0) >= limit }) {
            let row = offsets[range.lowerBound...].lastIndex(where: { $0 <= first + position })!
            throw HDF5StoreError.invalidSparseGroup(
                path: file.path, group: info.path,
                reason: "row \(row) has a value in column \(columnIndices[position]), outside 0..<\(columns)")
        }
        return (offsets[range.lowerBound...range.upperBound].map { $0 - first }, columnIndices,
                try arrays.data.read(stored, as: Element.self))
    }
}
