/// A matrix seen only through its products with thin matrices, so the same SVD
/// code runs on a matrix in memory and on one streamed from disk a pass at a time.
public struct LinearOperator<T: NMFScalar> {
    public let rows: Int
    public let columns: Int
    /// M·Y for Y of shape columns×p.
    public let multiply: (Matrix<T>) throws -> Matrix<T>
    /// Mᵀ·Y for Y of shape rows×p.
    public let multiplyTransposed: (Matrix<T>) throws -> Matrix<T>

    public init(rows: Int, columns: Int,
                multiply: @escaping (Matrix<T>) throws -> Matrix<T>,
                multiplyTransposed: @escaping (Matrix<T>) throws -> Matrix<T>) {
        self.rows = rows
        self.columns = columns
        self.multiply = multiply
        self.multiplyTransposed = multiplyTransposed
    }

    public init(_ matrix: Matrix<T>) {
        self.init(rows: matrix.rows, columns: matrix.columns,
                  multiply: { Matrix.product(matrix, $0) },
                  multiplyTransposed: { Matrix.product(matrix, $0, transA: .transposed) })
    }

    var transposed: LinearOperator {
        LinearOperator(rows: columns, columns: rows,
                       multiply: multiplyTransposed, multiplyTransposed: multiply)
    }
}

/// The leading singular triplets of a matrix by Halko, Martinsson & Tropp's
/// randomized range finder with power iterations, following scikit-learn's
/// `randomized_svd` choices: 10 oversamples, 7 power iterations when k is under a
/// tenth of the smaller side (4 otherwise), the wide case solved on the transpose,
/// and deterministic signs.
///
/// scikit-learn normalizes power iterations by LU; here each step is orthonormalized
/// by QR. Both keep the same subspace, so for the same Gaussian test matrix the
/// singular triplets agree to rounding where the spectrum separates them.
public enum RandomizedSVD {
    public struct Result<T: NMFScalar> {
        public let u: Matrix<T>     // m×k
        public let s: [T]           // k
        public let vt: Matrix<T>    // k×n
    }

    public static func compute<T: NMFScalar>(
        _ matrix: LinearOperator<T>, components k: Int, seed: UInt32,
        oversamples: Int = 10, powerIterations: Int? = nil
    ) throws -> Result<T> {
        let smaller = min(matrix.rows, matrix.columns)
        precondition(k >= 1 && k <= smaller, "components must be in 1...\(smaller)")
        let iterations = powerIterations ?? (Double(k) < 0.1 * Double(smaller) ? 7 : 4)
        let transpose = matrix.rows < matrix.columns
        let m = transpose ? matrix.transposed : matrix

        var random = LegacyRandomState(seed: seed)
        let width = k + oversamples
        var q = Matrix<T>(rows: m.columns, columns: width,
                          elements: random.gaussians(m.columns * width).map { T($0) })
        for _ in 0..<iterations {
            q = try DenseDecompositions.orthonormalColumns(m.multiply(q))
            q = try DenseDecompositions.orthonormalColumns(m.multiplyTransposed(q))
        }
        q = try DenseDecompositions.orthonormalColumns(m.multiply(q))

        let projected = try m.multiplyTransposed(q).transposed()   // Qᵀ·M
        let (uHat, s, vt) = try DenseDecompositions.thinSVD(projected)
        var u = Matrix.product(q, uHat)
        var v = vt
        flipSigns(u: &u, vt: &v, decideOnU: !transpose)

        if transpose {
            return Result(u: v.rows(0..<k).transposed(), s: Array(s[0..<k]),
                          vt: u.transposed().rows(0..<k))
        }
        return Result(u: u.transposed().rows(0..<k).transposed(), s: Array(s[0..<k]),
                      vt: v.rows(0..<k))
    }

    /// scikit-learn's `svd_flip`: each singular pair gets the sign that makes the
    /// largest-magnitude entry of its deciding vector positive.
    static func flipSigns<T: NMFScalar>(u: inout Matrix<T>, vt: inout Matrix<T>, decideOnU: Bool) {
        for j in 0..<min(u.columns, vt.rows) {
            var deciding: T = 0, largest: T = -1
            let length = decideOnU ? u.rows : vt.columns
            for index in 0..<length {
                let value = decideOnU ? u[index, j] : vt[j, index]
                if abs(value) > largest { largest = abs(value); deciding = value }
            }
            guard deciding < 0 else { continue }
            for i in 0..<u.rows { u[i, j] = -u[i, j] }
            for c in 0..<vt.columns { vt[j, c] = -vt[j, c] }
        }
    }
}
