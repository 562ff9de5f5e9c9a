@testable import NMFKernels
import XCTest

final class RandomizedSVDTests: XCTestCase {
    /// A planted rank-r matrix with geometrically decaying weights plus small noise:
    /// a separated spectrum, so the leading singular triplets are well defined.
    private func plantedMatrix(_ m: Int, _ n: Int, rank: Int, seed: UInt32) -> Matrix<Double> {
        var random = LegacyRandomState(seed: seed)
        let u = Matrix<Double>(rows: m, columns: rank) { _, _ in random.nextUniform() }
        let v = Matrix<Double>(rows: rank, columns: n) { r, _ in random.nextUniform() * pow(0.5, Double(r)) }
        var product = Matrix.product(u, v)
        for index in product.elements.indices { product.elements[index] += 1e-3 * random.nextUniform() }
        return product
    }

    /// The exact SVD of the whole matrix (LAPACK) is the independent reference.
    private func checkAgainstExactSVD(rows m: Int, columns n: Int, components k: Int) throws {
        let a = plantedMatrix(m, n, rank: k + 2, seed: 11)
        let exact = try DenseDecompositions.thinSVD(a)
        let randomized = try RandomizedSVD.compute(LinearOperator(a), components: k, seed: 0)
        for j in 0..<k {
            XCTAssertEqual(randomized.s[j], exact.s[j], accuracy: 1e-10 * exact.s[0], "σ\(j) of \(m)×\(n)")
            // Singular vectors are defined up to sign.
            let sign = (0..<m).reduce(0.0) { $0 + randomized.u[$1, j] * exact.u[$1, j] } < 0 ? -1.0 : 1.0
            for i in 0..<m { XCTAssertEqual(randomized.u[i, j], sign * exact.u[i, j], accuracy: 1e-7) }
            for c in 0..<n { XCTAssertEqual(randomized.vt[j, c], sign * exact.vt[j, c], accuracy: 1e-7) }
        }
    }

    func testTallMatrixMatchesExactSVD() throws { try checkAgainstExactSVD(rows: 60, columns: 25, components: 4) }
    func testWideMatrixMatchesExactSVD() throws { try checkAgainstExactSVD(rows: 25, columns: 60, components: 4) }
    func testRankNearTheSmallerSideMatchesExactSVD() throws {
        try checkAgainstExactSVD(rows: 30, columns: 12, components: 10)
    }

    func testThinSVDReconstructsTheMatrix() throws {
        let a = plantedMatrix(8, 5, rank: 5, seed: 12)
        let (u, s, vt) = try DenseDecompositions.thinSVD(a)
        var scaled = u
        for i in 0..<u.rows { for j in 0..<u.columns { scaled[i, j] *= s[j] } }
        XCTAssertLessThan(Matrix.product(scaled, vt).relativeDifference(to: a), 1e-13)
    }

    func testOrthonormalColumnsAreOrthonormalAndSpanTheInput() throws {
        let a = plantedMatrix(10, 4, rank: 4, seed: 13)
        let q = try DenseDecompositions.orthonormalColumns(a)
        let identity = Matrix<Double>(rows: 4, columns: 4) { $0 == $1 ? 1 : 0 }
        XCTAssertLessThan(q.gram(of: .columns).relativeDifference(to: identity), 1e-13)
        let projection = Matrix.product(q, Matrix.product(q, a, transA: .transposed))
        XCTAssertLessThan(projection.relativeDifference(to: a), 1e-13)
    }
}
