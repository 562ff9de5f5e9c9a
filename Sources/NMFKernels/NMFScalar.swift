import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// The floating-point types the kernels compute in: `Float` and `Double`.
///
/// Each conformance routes to the matching single- or double-precision BLAS and
/// LAPACK routine, so generic code calls one name and gets the right kernel.
public protocol NMFScalar: BinaryFloatingPoint, BitwiseCopyable, Sendable, Codable
where Self.RawSignificand: FixedWidthInteger {
    /// A readable name for the precision: "float32" or "float64".
    static var precisionName: String { get }
    /// `base` raised to `exponent` (C's pow / powf: the β-divergence updates work in the
    /// working precision, as NumPy's `**` does).
    static func power(_ base: Self, _ exponent: Self) -> Self

    static func blasGemm(
        _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE,
        _ m: Int32, _ n: Int32, _ k: Int32,
        _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32,
        _ b: UnsafePointer<Self>, _ ldb: Int32,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)

    static func blasSyrk(
        _ trans: CBLAS_TRANSPOSE, _ n: Int32, _ k: Int32,
        _ alpha: Self, _ a: UnsafePointer<Self>, _ lda: Int32,
        _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int32)

    static func lapackGeqrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Self>,
        _ lda: UnsafePointer<Int32>, _ tau: UnsafeMutablePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>)

    static func lapackOrgqr(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ k: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ tau: UnsafePointer<Self>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>)

    static func lapackGesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Self>, _ lda: UnsafePointer<Int32>, _ s: UnsafeMutablePointer<Self>,
        _ u: UnsafeMutablePointer<Self>, _ ldu: UnsafePointer<Int32>,
        _ vt: UnsafeMutablePointer<Self>, _ ldvt: UnsafePointer<Int32>,
        _ work: UnsafeMutablePointer<Self>, _ lwork: UnsafePointer<Int32>,
        _ iwork: UnsafeMutablePointer<Int32>, _ info: UnsafeMutablePointer<Int32>)
}

extension NMFScalar {
    /// `base ** exponent` as NumPy computes it: its fast paths for the exponents 0.5 (square
    /// root), 2, 1 and −1, C's pow otherwise.
    @inlinable public static func numpyPower(_ base: Self, _ exponent: Self) -> Self {
        switch exponent {
        case 0.5: base.squareRoot()
        case 2: base * base
        case 1: base
        case -1: 1 / base
        default: power(base, exponent)
        }
    }

    /// scikit-learn's `EPSILON`: float32 machine epsilon whatever the working
    /// precision, used to keep denominators and bases of negative powers away from 0.
    @inlinable public static var nmfEpsilon: Self { Self(Float.ulpOfOne) }
}

extension Float: NMFScalar {
    public static var precisionName: String { "float32" }
    @inlinable public static func power(_ base: Float, _ exponent: Float) -> Float { powf(base, exponent) }

    public static func blasGemm(
        _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ k: Int32,
        _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int32, _ b: UnsafePointer<Float>,
        _ ldb: Int32, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int32
    ) {
        cblas_sgemm(CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func blasSyrk(
        _ trans: CBLAS_TRANSPOSE, _ n: Int32, _ k: Int32, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int32, _ beta: Float,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int32
    ) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, trans, n, k, alpha, a, lda, beta, c, ldc)
    }

    public static func lapackGeqrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Float>,
        _ lda: UnsafePointer<Int32>, _ tau: UnsafeMutablePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { sgeqrf_(m, n, a, lda, tau, work, lwork, info) }

    public static func lapackOrgqr(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ k: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>, _ tau: UnsafePointer<Float>,
        _ work: UnsafeMutablePointer<Float>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { sorgqr_(m, n, k, a, lda, tau, work, lwork, info) }

    public static func lapackGesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Float>, _ lda: UnsafePointer<Int32>,
        _ s: UnsafeMutablePointer<Float>, _ u: UnsafeMutablePointer<Float>,
        _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Float>,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Float>,
        _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { sgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, 1) }
}

extension Double: NMFScalar {
    public static var precisionName: String { "float64" }
    @inlinable public static func power(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }

    public static func blasGemm(
        _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int32, _ n: Int32, _ k: Int32,
        _ alpha: Double, _ a: UnsafePointer<Double>, _ lda: Int32, _ b: UnsafePointer<Double>,
        _ ldb: Int32, _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int32
    ) {
        cblas_dgemm(CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    public static func blasSyrk(
        _ trans: CBLAS_TRANSPOSE, _ n: Int32, _ k: Int32, _ alpha: Double,
        _ a: UnsafePointer<Double>, _ lda: Int32, _ beta: Double,
        _ c: UnsafeMutablePointer<Double>, _ ldc: Int32
    ) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, trans, n, k, alpha, a, lda, beta, c, ldc)
    }

    public static func lapackGeqrf(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ a: UnsafeMutablePointer<Double>,
        _ lda: UnsafePointer<Int32>, _ tau: UnsafeMutablePointer<Double>,
        _ work: UnsafeMutablePointer<Double>, _ lwork: UnsafePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { dgeqrf_(m, n, a, lda, tau, work, lwork, info) }

    public static func lapackOrgqr(
        _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>, _ k: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>,
        _ tau: UnsafePointer<Double>, _ work: UnsafeMutablePointer<Double>,
        _ lwork: UnsafePointer<Int32>, _ info: UnsafeMutablePointer<Int32>
    ) { dorgqr_(m, n, k, a, lda, tau, work, lwork, info) }

    public static func lapackGesdd(
        _ jobz: UnsafePointer<CChar>, _ m: UnsafePointer<Int32>, _ n: UnsafePointer<Int32>,
        _ a: UnsafeMutablePointer<Double>, _ lda: UnsafePointer<Int32>,
        _ s: UnsafeMutablePointer<Double>, _ u: UnsafeMutablePointer<Double>,
        _ ldu: UnsafePointer<Int32>, _ vt: UnsafeMutablePointer<Double>,
        _ ldvt: UnsafePointer<Int32>, _ work: UnsafeMutablePointer<Double>,
        _ lwork: UnsafePointer<Int32>, _ iwork: UnsafeMutablePointer<Int32>,
        _ info: UnsafeMutablePointer<Int32>
    ) { dgesdd_(jobz, m, n, a, lda, s, u, ldu, vt, ldvt, work, lwork, iwork, info, 1) }
}
