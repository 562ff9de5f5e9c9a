import NMFKernels
import XCTest

final class MatrixProductTests: XCTestCase {
    private func uniformMatrix(_ rows: Int, _ columns: Int, seed: UInt32) -> Matrix<Double> {
        var random = LegacyRandomState(seed: seed)
        return Matrix(rows: rows, columns: columns) { _, _ in random.nextUniform() }
    }

    /// The definition Σₗ aᵢₗ bₗⱼ, as the independent oracle for BLAS.
    private func naiveProduct(_ a: Matrix<Double>, _ b: Matrix<Double>) -> Matrix<Double> {
        Matrix(rows: a.rows, columns: b.columns) { i, j in
            (0..<a.columns).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
        }
    }

    func testProductsMatchTheDefinitionForEveryTransposition() {
        let a = uniformMatrix(7, 5, seed: 1), b = uniformMatrix(5, 4, seed: 2)
        let expected = naiveProduct(a, b)
        XCTAssertLessThan(Matrix.product(a, b).relativeDifference(to: expected), 1e-14)
        XCTAssertLessThan(Matrix.product(a.transposed(), b, transA: .transposed)
            .relativeDifference(to: expected), 1e-14)
        XCTAssertLessThan(Matrix.product(a, b.transposed(), transB: .transposed)
            .relativeDifference(to: expected), 1e-14)
        XCTAssertLessThan(Matrix.product(a.transposed(), b.transposed(), transA: .transposed,
                                         transB: .transposed).relativeDifference(to: expected), 1e-14)
    }

    func testGramMatricesAreFullAndSymmetric() {
        let a = uniformMatrix(6, 3, seed: 3)
        XCTAssertLessThan(a.gram(of: .columns).relativeDifference(to: naiveProduct(a.transposed(), a)), 1e-14)
        XCTAssertLessThan(a.gram(of: .rows).relativeDifference(to: naiveProduct(a, a.transposed())), 1e-14)
    }

    func testFloatProductsAgreeWithDouble() {
        let a = uniformMatrix(9, 8, seed: 4), b = uniformMatrix(8, 3, seed: 5)
        let single = Matrix.product(a.converted(to: Float.self), b.converted(to: Float.self))
        XCTAssertLessThan(single.converted(to: Double.self).relativeDifference(to: naiveProduct(a, b)), 1e-6)
    }

    func testTransposeRowsAndReplaceRows() {
        let a = uniformMatrix(5, 4, seed: 6)
        XCTAssertEqual(a.transposed().transposed(), a)
        XCTAssertEqual(a.transposed()[2, 3], a[3, 2])
        var copy = Matrix<Double>(rows: 5, columns: 4)
        copy.replaceRows(startingAt: 0, with: a.rows(0..<2))
        copy.replaceRows(startingAt: 2, with: a.rows(2..<5))
        XCTAssertEqual(copy, a)
    }

    func testFrobeniusLossIdentityEqualsTheDenseResidual() {
        let v = uniformMatrix(12, 9, seed: 7), w = uniformMatrix(12, 3, seed: 8), h = uniformMatrix(3, 9, seed: 9)
        let residual = Matrix(rows: 12, columns: 9) { i, j in v[i, j] - naiveProduct(w, h)[i, j] }
        let identity = FrobeniusLoss.residualSquared(
            dataSquaredNorm: v.squaredFrobeniusNorm, wtv: Matrix.product(w, v, transA: .transposed),
            wtw: w.gram(of: .columns), h: h, hht: h.gram(of: .rows))
        XCTAssertEqual(identity, residual.squaredFrobeniusNorm, accuracy: 1e-12 * v.squaredFrobeniusNorm)
    }
}
