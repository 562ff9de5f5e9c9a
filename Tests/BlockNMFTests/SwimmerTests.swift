import BlockNMF
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

    func testTheDemoConfigurationLearnsTheParts() throws {
        let images = Swimmer.images(as: Double.self)
        var recovered: [UInt32: Int] = [:]
        for seed: UInt32 in 0...10 {
            let fit = try NMF<Double>(SwimmerDemo.defaultConfiguration(seed: seed)).fit(images)
            recovered[seed] = Swimmer.bestCorrelations(components: fit.components)
                .filter { $0 >= SwimmerDemo.recoveryThreshold }.count
        }
        XCTAssertEqual(recovered[0], 17, "default seed")
        for seed: UInt32 in 1...10 { XCTAssertGreaterThanOrEqual(recovered[seed]!, 15, "seed \(seed)") }
    }
}
