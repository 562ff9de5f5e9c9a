/// LAPACK factorizations of small dense matrices (k-sized sides): the QR that
/// orthonormalizes the randomized SVD's basis and the SVD of its projection.
///
/// LAPACK is column-major; a row-major r×c matrix is the column-major c×r of its
/// transpose, so each call transposes once on the way in and once on the way out.
enum DenseDecompositions {
    /// An orthonormal basis of the column space of `a` (r×c): r×min(r, c), from
    /// Householder QR (scikit-learn's `qr(mode='economic')`).
    static func orthonormalColumns<T: NMFScalar>(_ a: Matrix<T>) throws(DecompositionError) -> Matrix<T> {
        let r = a.rows, c = a.columns, width = min(r, c)
        guard width > 0 else { return Matrix(rows: r, columns: 0) }
        try checkFinite(a, routine: "geqrf")
        var columnMajor = a.transposed().elements  // a, column-major, leading dimension r
        var tau = [T](repeating: 0, count: width)
        var m = Int32(r), n = Int32(c), lda = Int32(r), reflectors = Int32(width)
        var info: Int32 = 0
        try withWorkspace(name: "geqrf") { work, lwork in
            columnMajor.withUnsafeMutableBufferPointer { pa in
                tau.withUnsafeMutableBufferPointer { pt in
                    T.lapackGeqrf(&m, &n, pa.baseAddress!, &lda, pt.baseAddress!, work, lwork, &info)
                }
            }
            return info
        }
        var columns = Int32(width)
        try withWorkspace(name: "orgqr") { work, lwork in
            columnMajor.withUnsafeMutableBufferPointer { pa in
                tau.withUnsafeBufferPointer { pt in
                    T.lapackOrgqr(&m, &columns, &reflectors, pa.baseAddress!, &lda, pt.baseAddress!,
                                  work, lwork, &info)
                }
            }
            return info
        }
        // The first `width` columns (column-major, r each) are Q.
        let q = Matrix(rows: width, columns: r, elements: Array(columnMajor[0..<(width * r)]))
        return q.transposed()
    }

    /// Thin SVD a = U·diag(s)·Vᵀ of a p×n matrix (LAPACK gesdd, as scipy's default).
    static func thinSVD<T: NMFScalar>(_ a: Matrix<T>) throws(DecompositionError)
        -> (u: Matrix<T>, s: [T], vt: Matrix<T>)
    {
        let p = a.rows, n = a.columns, width = min(p, n)
        try checkFinite(a, routine: "gesdd")
        var columnMajor = a.transposed().elements
        var s = [T](repeating: 0, count: width)
        var u = [T](repeating: 0, count: p * width)     // column-major p×width
        var vt = [T](repeating: 0, count: width * n)    // column-major width×n
        var iwork = [Int32](repeating: 0, count: 8 * width)
        var m = Int32(p), cols = Int32(n), lda = Int32(max(p, 1))
        var ldu = Int32(max(p, 1)), ldvt = Int32(max(width, 1))
        var info: Int32 = 0
        let jobz: [CChar] = [CChar(UInt8(ascii: "S")), 0]
        try withWorkspace(name: "gesdd") { work, lwork in
            columnMajor.withUnsafeMutableBufferPointer { pa in
                s.withUnsafeMutableBufferPointer { ps in
                    u.withUnsafeMutableBufferPointer { pu in
                        vt.withUnsafeMutableBufferPointer { pv in
                            iwork.withUnsafeMutableBufferPointer { pi in
                                T.lapackGesdd(jobz, &m, &cols, pa.baseAddress!, &lda, ps.baseAddress!,
                                              pu.baseAddress!, &ldu, pv.baseAddress!, &ldvt,
                                              work, lwork, pi.baseAddress!, &info)
                            }
                        }
                    }
                }
            }
            return info
        }
        let uRowMajor = Matrix(rows: width, columns: p, elements: u).transposed()
        let vtRowMajor = Matrix(rows: n, columns: width, elements: vt).transposed()
        return (uRowMajor, s, vtRowMajor)
    }

    /// Products that overflowed reach LAPACK as infinities and NaN, which it refuses with an
    /// argument error (or silently returns NaN); this says so instead.
    private static func checkFinite<T: NMFScalar>(_ a: Matrix<T>, routine: String) throws(DecompositionError) {
        guard a.elements.allSatisfy(\.isFinite) else {
            throw DecompositionError(routine: routine, info: 0, inputNotFinite: true)
        }
    }

    /// Runs a LAPACK routine twice: a workspace query (lwork = −1), then the call
    /// with the workspace it asked for.
    private static func withWorkspace<T: NMFScalar>(
        name: String,
        _ call: (UnsafeMutablePointer<T>, UnsafePointer<Int32>) -> Int32
    ) throws(DecompositionError) {
        var query = [T](repeating: 0, count: 1)
        var lwork: Int32 = -1
        let queryInfo = query.withUnsafeMutableBufferPointer { call($0.baseAddress!, &lwork) }
        guard queryInfo == 0 else { throw DecompositionError(routine: name, info: Int(queryInfo)) }
        var work = [T](repeating: 0, count: max(1, Int(query[0]) + 1))
        lwork = Int32(work.count)
        let info = work.withUnsafeMutableBufferPointer { call($0.baseAddress!, &lwork) }
        guard info == 0 else { throw DecompositionError(routine: name, info: Int(info)) }
    }
}

/// A LAPACK routine reported failure (for gesdd, a positive `info` means the
/// iteration did not converge), or was not called because its input held NaN or infinite
/// values (`inputNotFinite`).
public struct DecompositionError: Error, Equatable, CustomStringConvertible {
    public let routine: String
    public let info: Int
    public var inputNotFinite = false
    public var description: String {
        inputNotFinite ? "LAPACK \(routine) was given NaN or infinite values" : "LAPACK \(routine) failed (info = \(info))"
    }
}
