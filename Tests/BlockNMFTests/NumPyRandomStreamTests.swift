import NMFKernels
import XCTest

/// LegacyRandomState against NumPy's own `RandomState(seed)` output.
final class NumPyRandomStreamTests: XCTestCase {
    func testStreamsMatchNumPyDrawForDraw() throws {
        let fixture = try FixtureFile("numpy_random.h5")
        for seed: UInt32 in [0, 1, 42, 4_294_967_295] {
            var raw = LegacyRandomState(seed: seed)
            let expectedRaw = try fixture.file.readArray(dataset: "uint32_\(seed)", as: UInt32.self).elements
            XCTAssertEqual((0..<expectedRaw.count).map { _ in raw.nextUInt32() }, expectedRaw, "seed \(seed)")

            var uniform = LegacyRandomState(seed: seed)
            let expectedUniform = try fixture.array("random_sample_\(seed)")
            XCTAssertEqual((0..<expectedUniform.count).map { _ in uniform.nextUniform() }, expectedUniform)

            var gaussian = LegacyRandomState(seed: seed)
            let expectedGaussian = try fixture.array("standard_normal_\(seed)")
            XCTAssertEqual(gaussian.gaussians(expectedGaussian.count), expectedGaussian, "seed \(seed)")

            var normal = LegacyRandomState(seed: seed)
            let location = try fixture.double("loc", of: "/normal_\(seed)")
            let scale = try fixture.double("scale", of: "/normal_\(seed)")
            let expectedNormal = try fixture.array("normal_\(seed)")
            XCTAssertEqual(normal.gaussians(expectedNormal.count).map { location + scale * $0 }, expectedNormal)
        }
    }
}
