import BlockNMF
import NMFKernels
import XCTest

final class InputValidationTests: XCTestCase {
    private let v = TestMatrices.planted(12, 9, rank: 2, noise: 0.1, seed: 31, as: Double.self)

    private func fitError(_ configuration: NMFConfiguration, _ data: Matrix<Double>? = nil,
                          w: Matrix<Double>? = nil, h: Matrix<Double>? = nil) -> NMFError? {
        do {
            _ = try NMF<Double>(configuration).fit(data ?? v, initialW: w, initialH: h)
            return nil
        } catch {
            return error as? NMFError
        }
    }

    func testNegativeAndNonFiniteValuesAreReportedWithTheirPosition() {
        var negative = v
        negative[11, 7] = -0.25
        XCTAssertEqual(fitError(NMFConfiguration(components: 2), negative),
                       .negativeValue(source: "input matrix", row: 11, column: 7, value: -0.25))
        var notANumber = v
        notANumber[4, 2] = .nan
        guard case .notFinite(_, 4, 2, _)? = fitError(NMFConfiguration(components: 2), notANumber) else {
            return XCTFail("NaN not reported at its position")
        }
        var infinite = v
        infinite[0, 8] = .infinity
        XCTAssertEqual(fitError(NMFConfiguration(components: 2), infinite),
                       .notFinite(source: "input matrix", row: 0, column: 8, value: .infinity))
    }

    func testParametersAreCheckedByName() {
        XCTAssertEqual(fitError(NMFConfiguration(components: 0)),
                       .invalidParameter(name: "rank", value: "0", requirement: "must be at least 1"))
        guard case .invalidParameter("l1-ratio", _, _)? =
                fitError(NMFConfiguration(components: 2, regularization: Regularization(l1Ratio: 1.5))) else {
            return XCTFail("l1 ratio outside [0, 1] accepted")
        }
        guard case .invalidParameter("tol", _, _)? = fitError(NMFConfiguration(components: 2, tolerance: -1)) else {
            return XCTFail("negative tolerance accepted")
        }
    }

    func testRankTooLargeForSVDInitializationButNotForRandom() throws {
        XCTAssertEqual(fitError(NMFConfiguration(components: 10, initialization: .nndsvd)),
                       .rankTooLarge(rank: 10, initialization: .nndsvd, samples: 12, features: 9))
        // The default rule falls back to random initialization, which allows any rank.
        let fit = try NMF<Double>(NMFConfiguration(components: 10, maxIterations: 5)).fit(v)
        XCTAssertEqual(fit.report.initialization, "random")
    }

    func testCustomInitIsChecked() {
        let custom = NMFConfiguration(components: 2, initialization: .custom)
        let w = Matrix<Double>(rows: 12, columns: 2, repeating: 0.5)
        let h = Matrix<Double>(rows: 2, columns: 9, repeating: 0.5)
        XCTAssertEqual(fitError(custom, w: w), .customInitMissing(factor: "H"))
        XCTAssertEqual(fitError(custom, w: Matrix(rows: 11, columns: 2, repeating: 1), h: h),
                       .customInitShape(factor: "W", expected: [12, 2], actual: [11, 2]))
        var negative = h
        negative[1, 3] = -1
        XCTAssertEqual(fitError(custom, w: w, h: negative),
                       .customInitNegative(factor: "H", row: 1, column: 3, value: -1))
        XCTAssertEqual(fitError(custom, w: Matrix(rows: 12, columns: 2), h: h), .customInitAllZero(factor: "W"))
    }
}
