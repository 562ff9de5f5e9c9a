import NMFKernels
import XCTest

final class LegacyRandomStateTests: XCTestCase {
    /// MT19937's published reference output for the default seed 5489.
    func testMersenneTwisterReferenceOutput() {
        var random = LegacyRandomState(seed: 5489)
        XCTAssertEqual(random.nextUInt32(), 3_499_211_612)
        for _ in 1..<9999 { _ = random.nextUInt32() }
        // The 10 000th output of the reference generator.
        XCTAssertEqual(random.nextUInt32(), 4_123_659_995)
    }

    func testGaussiansHaveUnitVarianceAndComeInPairs() {
        var random = LegacyRandomState(seed: 3)
        let draws = random.gaussians(20_000)
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.03)
        var twin = LegacyRandomState(seed: 3)
        XCTAssertEqual(twin.gaussians(20_000), draws)
    }
}
