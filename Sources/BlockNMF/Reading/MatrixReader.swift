import NMFKernels

/// What a command needs of the reader of its input beyond the blocks: the statistics of
/// what it read, and a few rows on demand (a checkpoint's fingerprint of the input).
public protocol MatrixReader<Element>: AnyObject, Sendable {
    associatedtype Element: NMFScalar
    var rows: Int { get }
    var columns: Int { get }
    /// Bytes of V delivered in the working precision (for sparse input: values and their
    /// column indices), all passes together.
    var bytesRead: Int { get }
    /// Seconds spent in HDF5 (read, decompression, conversion).
    var readSeconds: Double { get }
    /// Whether blocks found in the page cache are used where they lie, without a copy.
    var readsInPlace: Bool { get }
    /// Rows per tile of the passes over this V (`RowBlockProvider.rowsPerTile`).
    var rowsPerTile: Int { get }
    /// Rows `range`, dense and row-major.
    func readRows(_ range: Range<Int>) throws -> [Element]
}
