import BlockNMF
import ComponentPictures
import NMFKernels
import TestSupport
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

    /// A library request is held to the rules before any file is opened: its paths here
    /// do not exist, so an error about them would mean a rule was skipped.
    func testRequestsAreCheckedBeforeAnyFileIsOpened() {
        func refusal(_ change: (inout FactorizationRequest) -> Void) -> NMFError? {
            var request = FactorizationRequest(input: "absent/v.h5", output: "absent/out.h5",
                                               configuration: NMFConfiguration(components: 2))
            change(&request)
            do {
                _ = try Factorization.run(request)
                return nil
            } catch {
                return error as? NMFError
            }
        }
        XCTAssertEqual(refusal { $0.configuration.maxIterations = 0 },
                       .invalidParameter(name: "max-iter", value: "0", requirement: "must be at least 1"))
        XCTAssertEqual(refusal { $0.threads = 0 },
                       .invalidParameter(name: "threads", value: "0", requirement: "must be at least 1"))
        XCTAssertEqual(refusal { $0.timeLimit = 5400 }, .needsCheckpoint(name: "time-limit", value: "1h30m"))
        XCTAssertEqual(refusal { $0.timeLimit = 0; $0.checkpoint = CheckpointOptions(directory: "absent/c") },
                       .invalidParameter(name: "time-limit", value: "0.0 s", requirement: "must be positive"))
        XCTAssertEqual(refusal { $0.componentsImage = ComponentsImageRequest(path: "absent/./out.h5",
                                                                             shape: ImageShape(height: 1, width: 9)) },
                       .invalidParameter(name: "components-png", value: "absent/./out.h5",
                                         requirement: "must differ from the output file"))
        let transform = TransformRequest(input: "absent/v.h5", model: "absent/m.h5", output: "absent/w.h5", threads: -1)
        XCTAssertThrowsError(try Transformation.run(transform)) { error in
            XCTAssertEqual(error as? NMFError,
                           .invalidParameter(name: "threads", value: "-1", requirement: "must be at least 1"))
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

    /// Finite values near the top of the working type's range overflow the fit's products:
    /// every solver path refuses them as data (never a crash, a LAPACK failure or NaN factors).
    func testValuesTooLargeForTheWorkingPrecisionAreRefused() {
        func overflowPrecision<T: NMFScalar>(_ v: Matrix<T>, _ configuration: NMFConfiguration) -> String? {
            do {
                _ = try NMF<T>(configuration).fit(v)
                return nil
            } catch NMFError.overflow(_, let precision) {
                return precision
            } catch {
                XCTFail("\(error)")
                return nil
            }
        }
        let small = TestMatrices.planted(30, 8, rank: 2, noise: 0.1, seed: 5, as: Float.self)
        var large = small, largest = small
        large[7, 3] = 1e25
        largest[7, 3] = 3e38
        // The loop (coordinate descent, multiplicative update, Kullback-Leibler's divergence
        // loop) and NNDSVD's SVD, whose input is V's products.
        XCTAssertEqual(overflowPrecision(large, NMFConfiguration(components: 2, solver: .hals)), "float32")
        XCTAssertEqual(overflowPrecision(large, NMFConfiguration(components: 2, solver: .mu)), "float32")
        XCTAssertEqual(overflowPrecision(large, NMFConfiguration(components: 2, solver: .mu, maxIterations: 3,
                                                                 loss: .kullbackLeibler)), "float32")
        XCTAssertEqual(overflowPrecision(largest, NMFConfiguration(components: 2, initialization: .nndsvda)), "float32")
        // ‖V‖² overflows float64 itself: refused by the validating scan.
        var huge = small.converted(to: Double.self)
        huge[7, 3] = 1e300
        XCTAssertEqual(overflowPrecision(huge, NMFConfiguration(components: 2)), "float64")
        // The same values fit in float64, and values far below the limit fit in float32.
        XCTAssertNil(overflowPrecision(large.converted(to: Double.self), NMFConfiguration(components: 2)))
        var moderate = small
        moderate[7, 3] = 1e6
        XCTAssertNil(overflowPrecision(moderate, NMFConfiguration(components: 2, solver: .mu)))
    }
}
