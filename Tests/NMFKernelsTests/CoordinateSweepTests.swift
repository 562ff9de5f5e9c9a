@testable import NMFKernels
import XCTest

/// The vector coordinate-descent sweep against the portable one, which scikit-learn's fixtures
/// check elsewhere: both must give the same bits.
final class CoordinateSweepTests: XCTestCase {
    private func bits(_ matrix: Matrix<Float>) -> [UInt32] { matrix.elements.map(\.bitPattern) }

    /// The vector sweep where it can run (x86-64 with AVX and FMA, or the kernel's portable C
    /// elsewhere); on an x86-64 processor without them, the sweep `update` runs by default, which
    /// must then be the portable one.
    private func candidateSweep(_ factor: inout Matrix<Float>, cross: Matrix<Float>, hessian: Matrix<Float>,
                                measuringViolation: Bool = true) throws -> Double {
        #if arch(x86_64)
        guard vectorKernelsAvailable else {
            return CoordinateDescent.sweep(&factor, cross: cross, hessian: hessian, measuringViolation: measuringViolation)
        }
        #endif
        return try XCTUnwrap(CoordinateDescent.vectorSweep(&factor, cross: cross, hessian: hessian,
                                                           measuringViolation: measuringViolation))
    }

    /// Row counts around the kernel's 16-row steps, widths from 1 to past a vector, some
    /// coordinates at 0 (where only a negative gradient counts), a zero diagonal entry (a
    /// component left as it is), several sweeps in a row, and sweeps that skip the violation.
    func testVectorSweepGivesThePortableSweepsBits() throws {
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
            var (vector, unmeasured) = (portable, portable)
            for sweep in 0..<3 {
                let name = "\(rows)×\(k), sweep \(sweep)"
                let portableViolation = CoordinateDescent.sweep(&portable, cross: cross, hessian: hessian, vectorized: false)
                let vectorViolation = try candidateSweep(&vector, cross: cross, hessian: hessian)
                _ = try candidateSweep(&unmeasured, cross: cross, hessian: hessian, measuringViolation: false)
                XCTAssertEqual(bits(vector), bits(portable), "\(name): factor")
                XCTAssertEqual(bits(unmeasured), bits(portable), "\(name): factor, violation not measured")
                XCTAssertEqual(vectorViolation.bitPattern, portableViolation.bitPattern, "\(name): violation")
            }
            XCTAssertTrue(portable.elements.contains(0), "\(rows)×\(k): some coordinates end at the bound")
        }
    }

    /// What a diverging fit meets: −0 coordinates, NaN and ±infinity in the cross product, an
    /// infinite diagonal entry. The two sweeps give the same bits, NaN for NaN.
    func testVectorSweepMatchesThePortableSweepOnSpecialValues() throws {
        let (rows, k) = (20, 4)
        var hessian = Matrix<Float>(rows: k, columns: k) { t, r in t == r ? 2 : 0.25 }
        hessian[2, 2] = .infinity
        let specials: [Float] = [.nan, .infinity, -.infinity, -0.0, 0, 1, -1]
        let cross = Matrix<Float>(rows: rows, columns: k) { i, t in specials[(i + t) % specials.count] }
        var portable = Matrix<Float>(rows: rows, columns: k) { i, t in (i + 2 * t) % 3 == 0 ? -0.0 : Float(i + t) / 7 }
        var vector = portable
        for sweep in 0..<2 {
            let portableViolation = CoordinateDescent.sweep(&portable, cross: cross, hessian: hessian, vectorized: false)
            let vectorViolation = try candidateSweep(&vector, cross: cross, hessian: hessian)
            XCTAssertEqual(bits(vector), bits(portable), "sweep \(sweep): factor")
            XCTAssertEqual(vectorViolation.bitPattern, portableViolation.bitPattern, "sweep \(sweep): violation")
        }
        XCTAssertTrue(portable.elements.contains { $0.isNaN }, "NaN reaches the factor")
    }
}
