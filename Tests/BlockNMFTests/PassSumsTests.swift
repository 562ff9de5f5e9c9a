@testable import BlockNMF
import NMFKernels
import XCTest

/// A float32 Frobenius pass forms each tile's products in float32 and sums them over the tiles
/// in Double, so that a sum's rounding does not grow with V's rows.
final class PassSumsTests: XCTestCase {
    private func share(_ value: Float) -> FrobeniusStatistics<Float>.TileShare {
        let one = Matrix<Float>(rows: 1, columns: 1, elements: [value])
        return .init(wtv: ProductShare(one), wtw: one, violation: 0, dataCross: 0, initialCross: 0, initialGram: one)
    }

    /// 2²⁴ then a thousand shares of 1: float32 rounds every 1 away (half an ulp, to even);
    /// the pass's sums hold 2²⁴ + 1000 exactly, and so does their encoding.
    func testFloat32SharesAreSummedExactlyInDouble() throws {
        var statistics = FrobeniusStatistics<Float>(components: 1, columns: 1, sumsDataProduct: true)
        statistics.add(share(16_777_216))
        var float32Sum: Float = 16_777_216
        for _ in 0..<1000 {
            statistics.add(share(1))
            float32Sum += 1
        }
        XCTAssertEqual(float32Sum, 16_777_216, "the premise: float32 loses every share")
        XCTAssertEqual(statistics.wtv.elements, [16_778_216])
        XCTAssertEqual(statistics.wtw.elements, [16_778_216])
        XCTAssertEqual(statistics.initialGram.elements, [16_778_216])

        let empty = FrobeniusStatistics<Float>(components: 1, columns: 1, sumsDataProduct: true)
        let decoded = try XCTUnwrap(FrobeniusStatistics(decoding: statistics.encoded, shapedLike: empty))
        XCTAssertEqual(decoded.wtv.elements, [16_778_216])
        var combined = empty
        combined.add(following: statistics)
        combined.add(following: decoded)
        XCTAssertEqual(combined.wtw.elements, [2 * 16_778_216])
    }
}
