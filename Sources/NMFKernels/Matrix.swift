/// A dense row-major matrix: element (i, j) lives at `elements[i * columns + j]`.
///
/// Row-major matches HDF5's layout and NumPy's default, so a block of rows read
/// from a file is a `Matrix` without reshuffling, and a row block of W is a
/// contiguous slice.
public struct Matrix<T: NMFScalar>: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var elements: [T]

    @inlinable public init(rows: Int, columns: Int, elements: [T]) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        precondition(elements.count == rows * columns,
                     "\(elements.count) elements do not fill a \(rows)×\(columns) matrix")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    @inlinable public init(rows: Int, columns: Int, repeating value: T = 0) {
        self.init(rows: rows, columns: columns,
                  elements: [T](repeating: value, count: rows * columns))
    }

    @inlinable public init(rows: Int, columns: Int, _ element: (_ row: Int, _ column: Int) -> T) {
        var elements = [T]()
        elements.reserveCapacity(rows * columns)
        for i in 0..<rows {
            for j in 0..<columns { elements.append(element(i, j)) }
        }
        self.init(rows: rows, columns: columns, elements: elements)
    }

    @inlinable public subscript(row: Int, column: Int) -> T {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    @inlinable public var shape: (rows: Int, columns: Int) { (rows, columns) }

    @inlinable public func transposed() -> Matrix {
        var result = [T](repeating: 0, count: elements.count)
        elements.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for i in 0..<rows {
                    for j in 0..<columns { target[j * rows + i] = source[i * columns + j] }
                }
            }
        }
        return Matrix(rows: columns, columns: rows, elements: result)
    }

    /// Rows `range` as a new matrix (a copy: blocks are handed to workers by value).
    @inlinable public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, columns: columns,
               elements: Array(elements[(range.lowerBound * columns)..<(range.upperBound * columns)]))
    }

    /// Overwrites rows starting at `firstRow` with `block`.
    @inlinable public mutating func replaceRows(startingAt firstRow: Int, with block: Matrix) {
        precondition(block.columns == columns && firstRow + block.rows <= rows)
        let start = firstRow * columns
        elements.replaceSubrange(start..<(start + block.elements.count), with: block.elements)
    }

    /// The same values in another precision.
    @inlinable public func converted<U: NMFScalar>(to: U.Type = U.self) -> Matrix<U> {
        Matrix<U>(rows: rows, columns: columns, elements: elements.map { U($0) })
    }
}

extension Matrix {
    /// Sum of squares accumulated in Double, whatever the element precision.
    @inlinable public var squaredFrobeniusNorm: Double {
        elements.reduce(0.0) { $0 + Double($1) * Double($1) }
    }

    /// ⟨self, other⟩ = Σ selfᵢⱼ·otherᵢⱼ, accumulated in Double (`other` in any precision).
    @inlinable public func frobeniusInner<U: NMFScalar>(_ other: Matrix<U>) -> Double {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch in inner product")
        var sum = 0.0
        for index in elements.indices { sum += Double(elements[index]) * Double(other.elements[index]) }
        return sum
    }

    /// ‖self − other‖_F / ‖other‖_F: how tests and users compare factors.
    @inlinable public func relativeDifference(to reference: Matrix) -> Double {
        precondition(rows == reference.rows && columns == reference.columns, "shape mismatch")
        var difference = 0.0
        for index in elements.indices {
            let delta = Double(elements[index]) - Double(reference.elements[index])
            difference += delta * delta
        }
        let scale = reference.squaredFrobeniusNorm
        return scale == 0 ? difference.squareRoot() : (difference / scale).squareRoot()
    }
}
