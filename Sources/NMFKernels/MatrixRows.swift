/// Consecutive rows of a matrix, used in place: a tile of a block of V enters the
/// products without being copied, so it crosses the memory bus once.
///
/// The rows live in a `Matrix` or in storage of someone else's (`BorrowedElements`,
/// e.g. a file mapped into memory), so a block in the page cache needs no copy; or they
/// are rows of a sparse matrix (`CompressedRows`), which give their dense elements to
/// any computation that asks for them, a call at a time.
public struct MatrixRows<T: NMFScalar>: Sendable {
    @usableFromInline enum Storage: Sendable {
        case matrix(Matrix<T>)
        case borrowed(any BorrowedElements<T>)
        case sparse(CompressedRows<T>)
    }

    @usableFromInline let storage: Storage
    public let range: Range<Int>
    public let columns: Int

    @inlinable public init(_ matrix: Matrix<T>, rows range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= matrix.rows, "rows \(range) outside 0..<\(matrix.rows)")
        storage = .matrix(matrix)
        self.range = range
        columns = matrix.columns
    }

    @inlinable public init(_ matrix: Matrix<T>) { self.init(matrix, rows: 0..<matrix.rows) }

    /// Rows `range` of `storage`, whose rows hold `columns` elements each.
    @inlinable public init(_ storage: any BorrowedElements<T>, rows range: Range<Int>, columns: Int) {
        self.storage = .borrowed(storage)
        self.range = range
        self.columns = columns
    }

    /// Rows `range` of a sparse matrix.
    @inlinable public init(_ sparse: CompressedRows<T>, rows range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= sparse.rows, "rows \(range) outside 0..<\(sparse.rows)")
        storage = .sparse(sparse)
        self.range = range
        columns = sparse.columns
    }

    @usableFromInline init(storage: Storage, range: Range<Int>, columns: Int) {
        self.storage = storage
        self.range = range
        self.columns = columns
    }

    @inlinable public var rows: Int { range.count }

    /// Rows `subrange` of these rows (relative to the first), sharing the storage.
    @inlinable public func rows(_ subrange: Range<Int>) -> MatrixRows {
        precondition(subrange.lowerBound >= 0 && subrange.upperBound <= rows, "rows \(subrange) outside 0..<\(rows)")
        return MatrixRows(storage: storage, range: (range.lowerBound + subrange.lowerBound)..<(range.lowerBound + subrange.upperBound),
                          columns: columns)
    }

    /// The matrix holding the rows, when a matrix does (to hand its buffer back for reuse).
    public var matrix: Matrix<T>? {
        if case .matrix(let matrix) = storage { return matrix }
        return nil
    }

    /// The sparse rows these are a range of, when they are sparse.
    public var compressed: CompressedRows<T>? {
        if case .sparse(let rows) = storage { return rows }
        return nil
    }

    /// The rows as dense row-major elements, copied.
    public var denseElements: [T] { withElements { Array($0) } }

    /// Σv, Σv² (in Double), the offset of the first zero, and the first element that is
    /// negative or not finite, with its offset in row-major order.
    @inlinable public func statistics()
        -> (sum: Double, squares: Double, firstZero: Int?, firstInvalid: (offset: Int, value: Double)?)
    {
        if case .sparse(let sparse) = storage { return sparse.statistics(range) }
        return withElements { elements in
            var sum = 0.0, squares = 0.0
            var firstZero: Int?
            for index in elements.indices {
                let value = Double(elements[index])
                // One comparison admits the common case.
                if !(value > 0 && value.isFinite) {
                    if value == 0 {
                        if firstZero == nil { firstZero = index }
                        continue
                    }
                    return (sum, squares, firstZero, (index, value))
                }
                sum += value
                squares += value * value
            }
            return (sum, squares, firstZero, nil)
        }
    }

    /// Σ (self − other)², element by element, in Double.
    @inlinable public func squaredDistance(to other: Matrix<T>) -> Double {
        precondition(other.rows == rows && other.columns == columns, "shapes differ")
        return withElements { elements in
            other.elements.withUnsafeBufferPointer { estimates in
                var squares = 0.0
                for index in elements.indices {
                    let delta = Double(elements[index]) - Double(estimates[index])
                    squares += delta * delta
                }
                return squares
            }
        }
    }

    @inlinable func withElements<R>(_ body: (UnsafeBufferPointer<T>) throws -> R) rethrows -> R {
        let count = rows * columns
        switch storage {
        case .matrix(let matrix):
            return try matrix.elements.withUnsafeBufferPointer { buffer in
                try body(UnsafeBufferPointer(rebasing: buffer[(range.lowerBound * columns)..<(range.lowerBound * columns + count)]))
            }
        case .borrowed(let storage):
            return try storage.withElements((range.lowerBound * columns)..<(range.lowerBound * columns + count), body)
        case .sparse(let sparse):
            return try withUnsafeTemporaryAllocation(of: T.self, capacity: max(count, 1)) { dense in
                sparse.densify(range, into: dense)
                return try body(UnsafeBufferPointer(rebasing: dense[0..<count]))
            }
        }
    }

    @usableFromInline @inline(__always) func withBaseAddress<R>(_ body: (UnsafePointer<T>) -> R) -> R {
        withElements { elements in
            // An empty range has no storage; BLAS reads nothing through the pointer then.
            guard let base = elements.baseAddress else {
                return withUnsafePointer(to: T.zero) { body($0) }
            }
            return body(base)
        }
    }
}

/// Elements stored outside any `Matrix` (a file mapped into memory), lent out by
/// ranges for as long as a call lasts.
public protocol BorrowedElements<Element>: AnyObject, Sendable {
    associatedtype Element
    /// Calls `body` with elements `range` (counted from the storage's first element).
    func withElements<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R
}
