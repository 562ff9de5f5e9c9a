import CBLAS

/// Whether an operand of a product enters as stored or transposed.
public enum Transposition: Sendable {
    case none, transposed

    @usableFromInline var blas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

extension Matrix {
    /// `self ← alpha·op(a)·op(b) + beta·self` through BLAS gemm.
    @inlinable public mutating func multiplyAdd(
        _ a: Matrix, _ b: Matrix,
        transA: Transposition = .none, transB: Transposition = .none,
        alpha: T = 1, beta: T = 0
    ) {
        multiplyAdd(MatrixRows(a), MatrixRows(b), transA: transA, transB: transB, alpha: alpha, beta: beta)
    }

    /// The same with row ranges of matrices as operands, read in place (no copy).
    @inlinable public mutating func multiplyAdd(
        _ a: MatrixRows<T>, _ b: MatrixRows<T>,
        transA: Transposition = .none, transB: Transposition = .none,
        alpha: T = 1, beta: T = 0
    ) {
        let m = transA == .none ? a.rows : a.columns
        let inner = transA == .none ? a.columns : a.rows
        let innerB = transB == .none ? b.rows : b.columns
        let n = transB == .none ? b.columns : b.rows
        precondition(inner == innerB, "inner dimensions differ: \(inner) vs \(innerB)")
        precondition(rows == m && columns == n, "result is \(rows)×\(columns), product is \(m)×\(n)")
        guard m > 0, n > 0 else { return }
        guard inner > 0 else {
            // BLAS requires lda ≥ 1; an empty inner dimension only scales the result.
            for index in elements.indices { elements[index] *= beta }
            return
        }
        if a.compressed != nil || b.compressed != nil {
            multiplyAddSparse(a, b, transA: transA, transB: transB, alpha: alpha, beta: beta)
            return
        }
        let resultColumns = columns
        a.withBaseAddress { pa in
            b.withBaseAddress { pb in
                elements.withUnsafeMutableBufferPointer { pc in
                    T.blasGemm(transA.blas, transB.blas, Int32(m), Int32(n), Int32(inner),
                               alpha, pa, Int32(max(a.columns, 1)), pb, Int32(max(b.columns, 1)),
                               beta, pc.baseAddress!, Int32(max(resultColumns, 1)))
                }
            }
        }
    }

    /// A product with a sparse operand, in work proportional to its values: the sparse rows
    /// times a dense matrix (V·Y, V·Hᵀ) or a dense matrix's transpose times them (Yᵀ·V, Wᵀ·V).
    /// A dense operand that enters transposed is transposed once first, so each value of V
    /// touches one contiguous row. Two sparse operands meet as dense ones.
    @inlinable mutating func multiplyAddSparse(
        _ a: MatrixRows<T>, _ b: MatrixRows<T>, transA: Transposition, transB: Transposition, alpha: T, beta: T
    ) {
        func contiguous(_ rows: MatrixRows<T>, transposed: Bool) -> Matrix<T> {
            // A whole matrix is used as it is (H, the SVD's Y): no copy before a transpose.
            let matrix = rows.matrix.flatMap { $0.rows == rows.rows ? $0 : nil }
                ?? rows.withElements { Matrix(rows: rows.rows, columns: rows.columns, elements: Array($0)) }
            return transposed ? matrix.transposed() : matrix
        }
        if let sparse = a.compressed, b.compressed == nil, transA == .none {
            // (b×n)·op(B) with op(B) n×q.
            let y = contiguous(b, transposed: transB == .transposed)
            let q = y.columns
            y.elements.withUnsafeBufferPointer { py in
                elements.withUnsafeMutableBufferPointer { pc in
                    sparse.multiply(a.range, by: py.baseAddress!, columns: q, alpha: alpha, beta: beta,
                                    into: pc.baseAddress!)
                }
            }
        } else if let sparse = b.compressed, a.compressed == nil, transB == .none {
            // op(A)·(b×n) with op(A) q×b: the transpose of (b×n)ᵀ·op(A)ᵀ, formed as n×q.
            let y = contiguous(a, transposed: transA == .none)
            var transposedResult = beta == 0 ? Matrix(rows: columns, columns: rows) : transposed()
            y.elements.withUnsafeBufferPointer { py in
                transposedResult.elements.withUnsafeMutableBufferPointer { pc in
                    sparse.multiplyTransposed(b.range, by: py.baseAddress!, columns: y.columns, alpha: alpha,
                                              beta: beta, into: pc.baseAddress!)
                }
            }
            self = transposedResult.transposed()
        } else if let sparse = a.compressed, b.compressed == nil, transA == .transposed {
            // (b×n)ᵀ·op(B) with op(B) b×q: n×q directly.
            let y = contiguous(b, transposed: transB == .transposed)
            y.elements.withUnsafeBufferPointer { py in
                elements.withUnsafeMutableBufferPointer { pc in
                    sparse.multiplyTransposed(a.range, by: py.baseAddress!, columns: y.columns, alpha: alpha,
                                              beta: beta, into: pc.baseAddress!)
                }
            }
        } else {
            let denseA = contiguous(a, transposed: false), denseB = contiguous(b, transposed: false)
            multiplyAdd(denseA, denseB, transA: transA, transB: transB, alpha: alpha, beta: beta)
        }
    }

    /// op(a)·op(b) as a new matrix.
    @inlinable public static func product(
        _ a: Matrix, _ b: Matrix,
        transA: Transposition = .none, transB: Transposition = .none
    ) -> Matrix {
        product(MatrixRows(a), MatrixRows(b), transA: transA, transB: transB)
    }

    /// op(a)·op(b) with row ranges as operands.
    @inlinable public static func product(
        _ a: MatrixRows<T>, _ b: MatrixRows<T>,
        transA: Transposition = .none, transB: Transposition = .none
    ) -> Matrix {
        let m = transA == .none ? a.rows : a.columns
        let n = transB == .none ? b.columns : b.rows
        let inner = transA == .none ? a.columns : a.rows
        // gemm with beta = 0 writes every element: no need to zero them first.
        var result = inner == 0 ? Matrix(rows: m, columns: n)
            : Matrix(rows: m, columns: n, elements: [T](unsafeUninitializedCapacity: m * n) { _, count in count = m * n })
        result.multiplyAdd(a, b, transA: transA, transB: transB)
        return result
    }

    /// The Gram matrix `self·selfᵀ` (`.rows`) or `selfᵀ·self` (`.columns`) through
    /// BLAS syrk, returned full (both triangles filled).
    @inlinable public func gram(of side: GramSide) -> Matrix {
        let order = side == .rows ? rows : columns
        let inner = side == .rows ? columns : rows
        var result = Matrix(rows: order, columns: order)
        guard order > 0, inner > 0 else { return result }
        elements.withUnsafeBufferPointer { pa in
            result.elements.withUnsafeMutableBufferPointer { pc in
                T.blasSyrk(side == .rows ? CblasNoTrans : CblasTrans, Int32(order), Int32(inner),
                           1, pa.baseAddress!, Int32(columns), 0, pc.baseAddress!, Int32(order))
            }
        }
        result.mirrorUpperTriangle()
        return result
    }

    @usableFromInline mutating func mirrorUpperTriangle() {
        for i in 0..<rows {
            for j in 0..<i { self[i, j] = self[j, i] }
        }
    }

    /// `self += other`, element by element.
    @inlinable public mutating func add(_ other: Matrix) {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch in sum")
        for index in elements.indices { elements[index] += other.elements[index] }
    }

    /// `self += other` with `other`'s elements converted to this precision (a float32 share
    /// added to a float64 sum).
    @inlinable public mutating func add<U: NMFScalar>(converting other: Matrix<U>) {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch in sum")
        for index in elements.indices { elements[index] += T(other.elements[index]) }
    }
}

/// Which Gram matrix of an m×k or k×n factor: `rows` gives A·Aᵀ, `columns` gives Aᵀ·A.
public enum GramSide: Sendable { case rows, columns }

/// OpenBLAS threading control: the engine runs one single-threaded BLAS per worker.
public enum BLASThreads {
    public static func set(_ count: Int) { openblas_set_num_threads(Int32(count)) }
}

/// One tile's share of a k×n product summed over tiles (Wₜᵀ·Vₜ), kept as it was formed:
/// k×n from dense rows, or its n×k transpose from sparse rows, whose values each add a
/// multiple of a row of Wₜ to the row of their column (no transpose per tile).
public struct ProductShare<T: NMFScalar>: Sendable {
    public let matrix: Matrix<T>
    public let isTransposed: Bool

    /// Wᵀ·V (k×n) for rows V and their rows W (b×k).
    @inlinable public init(w: Matrix<T>, timesRows rows: MatrixRows<T>) {
        if rows.compressed != nil {
            (matrix, isTransposed) = (Matrix.product(rows, MatrixRows(w), transA: .transposed), true)
        } else {
            (matrix, isTransposed) = (Matrix.product(MatrixRows(w), rows, transA: .transposed), false)
        }
    }

    /// A share formed k×n already (or k×0: no share).
    public init(_ matrix: Matrix<T>) { (self.matrix, isTransposed) = (matrix, false) }

    /// `total` (k×n) += this share, in `total`'s precision.
    @inlinable public func add<S: NMFScalar>(into total: inout Matrix<S>) {
        guard isTransposed else { return total.add(converting: matrix) }
        precondition(total.rows == matrix.columns && total.columns == matrix.rows, "shapes differ")
        let (k, n) = (total.rows, total.columns)
        matrix.elements.withUnsafeBufferPointer { share in
            total.elements.withUnsafeMutableBufferPointer { sums in
                for column in 0..<n {
                    for component in 0..<k { sums[component * n + column] += S(share[column * k + component]) }
                }
            }
        }
    }
}
