@testable import NMFKernels
import XCTest

/// The `anls` rule's contract with its step: what it reports, and the penalty's placement.
final class ExactLeastSquaresTests: XCTestCase {
    private func gaussian(_ rows: Int, _ columns: Int, seed: UInt32) -> Matrix<Double> {
        var random = LegacyRandomState(seed: seed)
        return Matrix(rows: rows, columns: columns) { _, _ in random.nextGaussian() }
    }

    /// W's rows (b×k) for H (k×n) and data D (b×n): a problem with negative least-squares
    /// coordinates, so the pivoting needs several steps from an empty passive set.
    private func problem() -> (cross: Matrix<Double>, gram: Matrix<Double>) {
        let h = gaussian(6, 40, seed: 1), d = gaussian(30, 40, seed: 2)
        return (Matrix.product(d, h, transB: .transposed), h.gram(of: .rows))
    }

    func testReportsUnsolvedRowsAtTheIterationBoundAndNoneWithoutIt() {
        let (cross, gram) = problem()
        var bounded = Matrix<Double>(rows: 30, columns: 6), free = bounded
        var crossCopy = cross
        let unsolved = ExactLeastSquares(maximumIterations: 1, activeSetFallback: false)
            .updateW(&bounded, cross: &crossCopy, gram: gram, penalty: .none)
        XCTAssertGreaterThan(unsolved, 0, "one pivoting step cannot solve every row of this problem")
        XCTAssertTrue(bounded.elements.allSatisfy { $0.isFinite && $0 >= 0 })
        crossCopy = cross
        XCTAssertEqual(ExactLeastSquares().updateW(&free, cross: &crossCopy, gram: gram, penalty: .none), 0)
        var fallback = Matrix<Double>(rows: 30, columns: 6)
        crossCopy = cross
        XCTAssertEqual(ExactLeastSquares(maximumIterations: 1).updateW(&fallback, cross: &crossCopy, gram: gram,
                                                                       penalty: .none), 0,
                       "the active-set method solves what one pivoting step left")
        XCTAssertEqual(fallback.elements.count, free.elements.count)
        for (a, b) in zip(fallback.elements, free.elements) { XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b))) }
    }

    func testNonFiniteProductsAreReportedAndLeaveTheFactorAsItWas() {
        var (cross, gram) = problem()
        cross[3, 2] = .infinity
        var w = Matrix<Double>(rows: 30, columns: 6, repeating: 0.5)
        XCTAssertEqual(ExactLeastSquares().updateW(&w, cross: &cross, gram: gram, penalty: .none), .infinity)
        XCTAssertEqual(w, Matrix(rows: 30, columns: 6, repeating: 0.5))
    }

    /// scikit-learn's placement (as in coordinate descent): l2 on the Gram's diagonal, l1 off
    /// every right-hand side; the solution with a penalty is the plain solution of that problem.
    func testPenaltyIsFoldedAsCoordinateDescentFoldsIt() {
        let (cross, gram) = problem()
        let penalty = Penalty(l1: 0.7, l2: 3.0)
        var penalized = Matrix<Double>(rows: 30, columns: 6), cross1 = cross
        XCTAssertEqual(ExactLeastSquares().updateW(&penalized, cross: &cross1, gram: gram, penalty: penalty), 0)
        var folded = gram, cross2 = cross
        for t in 0..<6 { folded[t, t] += penalty.l2 }
        for index in cross2.elements.indices { cross2.elements[index] -= penalty.l1 }
        var plain = Matrix<Double>(rows: 30, columns: 6)
        XCTAssertEqual(ExactLeastSquares().updateW(&plain, cross: &cross2, gram: folded, penalty: .none), 0)
        for index in plain.elements.indices {
            XCTAssertEqual(penalized.elements[index], plain.elements[index], accuracy: 1e-12)
        }
    }
}
