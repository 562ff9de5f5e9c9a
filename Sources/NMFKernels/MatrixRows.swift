/// Consecutive rows of a matrix, used in place: a tile of a block of V enters the
/// products without being copied, so it crosses the memory bus once.
public struct MatrixRows<T: NMFScalar>: Sendable {
    public let matrix: Matrix<T>
    public let range: Range<Int>

    @inlinable public init(_ matrix: Matrix<T>, rows range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= matrix.rows, "rows \(range) outside 0..<\(matrix.rows)")
        self.matrix = matrix
        self.range = range
    }

    @inlinable public init(_ matrix: Matrix<T>) { self.init(matrix, rows: 0..<matrix.rows) }

    @inlinable public var rows: Int { range.count }
    @inlinable public var columns: Int { matrix.columns }

    /// The elements in row-major order, sharing the matrix's storage.
    @inlinable public var elements: ArraySlice<T> {
        matrix.elements[(range.lowerBound * columns)..<(range.upperBound * columns)]
    }

    @usableFromInline @inline(__always) func withBaseAddress<R>(_ body: (UnsafePointer<T>) -> R) -> R {
        matrix.elements.withUnsafeBufferPointer { buffer in
            // An empty matrix has no storage; BLAS reads nothing through the pointer then.
            guard let base = buffer.baseAddress else {
                return withUnsafePointer(to: T.zero) { body($0) }
            }
            return body(base + range.lowerBound * columns)
        }
    }
}
