import BlockNMF
import BlockNMFDemo
import NMFKernels
import XCTest

final class SwimmerTests: XCTestCase {
    func testImagesAreTheTorsoPlusOnePositionPerLimb() {
        let parts = Swimmer.parts(as: Double.self)
        let images = Swimmer.images(as: Double.self)
        XCTAssertEqual([images.rows, images.columns], [256, 1024])
        // The parts are disjoint, so every image is exactly the sum of its five parts.
        let pixelsPerPart = (0..<17).map { part in (0..<1024).reduce(0.0) { $0 + parts[part, $1] } }
        let overlap = Matrix.product(parts, parts, transB: .transposed)
        for a in 0..<17 {
            for b in 0..<17 { XCTAssertEqual(overlap[a, b], a == b ? pixelsPerPart[a] : 0) }
        }
        for image in 0..<256 {
            let lit = (0..<1024).reduce(0.0) { $0 + images[image, $1] }
            XCTAssertEqual(lit, pixelsPerPart[0] + 4 * 7)
        }
        XCTAssertEqual(Set((0..<256).map { images.rows($0..<($0 + 1)).elements }).count, 256)
    }

    /// What makes one NNDSVD start a matter of rounding: V = A·P (A: which of the 17 parts each
    /// image holds; P: the disjoint parts) has rank 13, since each limb's four position columns
    /// of A add up to the torso's column, and 12 equal singular values: a contrast x between one
    /// limb's positions (Σx = 0) meets no other column of AᵀA, so (AᵀA)x = 64x (each position is
    /// in 64 images), and with 7 pixels per limb σ² = 64·7.
    func testTheImagesHaveRankThirteenWithTwelveEqualSingularValues() throws {
        let images = Swimmer.images(as: Double.self)
        let singularValues = try RandomizedSVD.compute(LinearOperator(images), components: 17, seed: 0).s
        XCTAssertEqual(singularValues.filter { $0 > 1e-9 * singularValues[0] }.count, 13)
        let repeated = (64.0 * 7).squareRoot()
        XCTAssertGreaterThan(singularValues[0], 2 * repeated)
        for value in singularValues[1..<13] { XCTAssertEqual(value, repeated, accuracy: 1e-9 * repeated) }
    }

    func testTheDemoLearnsAllPartsForSeedsZeroToTen() throws {
        let images = Swimmer.images(as: Double.self)
        for seed: UInt32 in 0...10 {
            let fits = try SwimmerDemo.fitStarts(images, seed: seed)
            XCTAssertEqual(fits.map(\.configuration), SwimmerDemo.startConfigurations(seed: seed))
            let kept = fits[SwimmerDemo.keptStart(errors: fits.map(\.report.reconstructionError))]
            let recovered = Swimmer.bestCorrelations(components: kept.components)
                .filter { $0 >= SwimmerDemo.recoveryThreshold }.count
            XCTAssertEqual(recovered, 17, "seed \(seed)")
        }
    }

    func testNoTwoDemoSeedsShareAStart() {
        let seeds = (UInt32(0)...10).flatMap { SwimmerDemo.startConfigurations(seed: $0).map(\.seed) }
        XCTAssertEqual(Set(seeds).count, 11 * SwimmerDemo.startCount)
    }

    func testTheKeptStartHasTheLowestErrorAndIsTheFirstOfEquals() {
        XCTAssertEqual(SwimmerDemo.keptStart(errors: [0.3, 0.1, 0.2, 0.1]), 1)
        XCTAssertEqual(SwimmerDemo.keptStart(errors: [1e-7]), 0)
    }
}
