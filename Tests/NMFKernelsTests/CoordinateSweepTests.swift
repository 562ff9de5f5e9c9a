@testable import NMFKernels
import XCTest

/// The vector coordinate-descent sweep against the portable one, which scikit-learn's fixtures
/// check elsewhere: both must give the same bits.
final class CoordinateSweepTests: XCTestCase {
    /// Row counts around the kernel's 16-row steps, widths from 1 to past a vector, some
    /// coordinates at 0 (where only a negative gradient counts), a zero diagonal entry (a
    /// component left as it is), and several sweeps in a row.
    func testVectorSweepGivesThePortableSweepsBits() throws {
        try XCTSkipUnless(vectorKernelsAvailable, "this processor has no AVX and FMA: only the portable sweep runs")
        var random = LegacyRandomState(seed: 21)
        for (rows, k) in [(1, 1), (15, 3), (16, 8), (17, 20), (40, 9), (100, 33)] {
            let basis = Matrix<Float>(rows: k, columns: 3 * k + 2) { _, _ in Float(random.nextUniform()) }
            var hessian = Matrix<Float>(rows: k, columns: k)
            for t in 0..<k {
                for r in 0..<k {
                    hessian[t, r] = (0..<basis.columns).reduce(0) { $0 + basis[t, $1] * basis[r, $1] }
                }
            }
            if k > 2 {
                for r in 0..<k { (hessian[1, r], hessian[r, 1]) = (0, 0) }
            }
            let cross = Matrix<Float>(rows: rows, columns: k) { _, _ in Float(random.nextUniform() * 4 - 1) }
            var portable = Matrix<Float>(rows: rows, columns: k) { _, _ in
                random.nextUniform() < 0.3 ? 0 : Float(random.nextUniform())
            }
            var vector = portable
            for sweep in 0..<3 {
                let portableViolation = CoordinateDescent.sweep(&portable, cross: cross, hessian: hessian, vectorized: false)
                let vectorViolation = CoordinateDescent.sweep(&vector, cross: cross, hessian: hessian, vectorized: true)
                XCTAssertEqual(vector.elements, portable.elements, "\(rows)×\(k), sweep \(sweep): factor")
                XCTAssertEqual(vectorViolation, portableViolation, "\(rows)×\(k), sweep \(sweep): violation")
            }
            XCTAssertTrue(portable.elements.contains(0), "\(rows)×\(k): some coordinates end at the bound")
        }
    }
}
