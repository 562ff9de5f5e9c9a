import BlockNMF
import Foundation
import HDF5Store
import NMFKernels
import TestSupport
import XCTest

/// The library's side of checkpoints: a stop asked for from the progress callback, the
/// resume, a kept checkpoint continued with more iterations, and the parsing of intervals.
final class CheckpointResumeTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var directory: String { scratch.path }
    private var input: String { "\(directory)/v.h5" }

    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        let v = TestMatrices.planted(1500, 60, rank: 5, noise: 0.05, seed: 8, as: Double.self)
        let file = try HDF5File.create(input)
        try file.write(dataset: "/X", shape: [v.rows, v.columns], elements: v.elements)
        try file.close()
    }

    override func tearDown() { scratch = nil }

    private func request(_ output: String, solver: Solver, maxIterations: Int, tolerance: Double = 0,
                         checkpoint: CheckpointOptions? = nil, stop: StopRequest? = nil) -> FactorizationRequest {
        FactorizationRequest(
            input: input, output: "\(directory)/\(output)",
            configuration: NMFConfiguration(components: 5, solver: solver, maxIterations: maxIterations,
                                            tolerance: tolerance),
            threads: 2, blockRows: 512, checkpoint: checkpoint, stopRequest: stop)
    }

    private func factors(_ name: String) throws -> (w: [Double], h: [Double], iterations: Int) {
        let file = try HDF5File.openReadOnly("\(directory)/\(name)")
        let history = try file.readArray(dataset: "/loss_history", as: Double.self).elements
        let w = try file.readMatrix(dataset: "/W", as: Double.self).elements
        let h = try file.readMatrix(dataset: "/H", as: Double.self).elements
        return (w, h, history.count - 1)
    }

    func testAStopFromTheCallbackLeavesACheckpointTheRerunFinishesExactly() throws {
        for solver in [Solver.cd, .mu, .hals] {
            let reference = try Factorization.run(request("reference.h5", solver: solver, maxIterations: 25))
            let options = CheckpointOptions(directory: "\(directory)/checkpoint-\(solver)", interval: .iterations(1000))
            let stop = StopRequest()
            XCTAssertThrowsError(try Factorization.run(
                request("out.h5", solver: solver, maxIterations: 25, checkpoint: options, stop: stop),
                onProgress: { if $0.iteration.iteration == 7 { stop.stop() } }
            )) { error in
                XCTAssertEqual((error as? FactorizationStopped)?.reason, .requested, "\(error)")
                XCTAssertEqual((error as? FactorizationStopped)?.iteration, 7, "\(error)")
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory)/out.h5"))

            var resumedAt: Int?
            let resumed = try Factorization.run(
                request("out.h5", solver: solver, maxIterations: 25, checkpoint: options),
                onCheckpoint: { if case .resumed(let iteration, _, _, _, _, _) = $0 { resumedAt = iteration } })
            XCTAssertEqual(resumedAt, 7, "\(solver)")
            XCTAssertEqual(resumed.checkpoint?.resumedAtIteration, 7)
            XCTAssertEqual(resumed.report.lossHistory, reference.report.lossHistory, "\(solver)")
            XCTAssertEqual(resumed.report.reconstructionError, reference.report.reconstructionError, "\(solver)")
            let (got, expected) = (try factors("out.h5"), try factors("reference.h5"))
            XCTAssertEqual(got.w, expected.w, "\(solver)")
            XCTAssertEqual(got.h, expected.h, "\(solver)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: options.directory), "removed after success")
            try FileManager.default.removeItem(atPath: "\(directory)/out.h5")
        }
    }

    /// A kept checkpoint holds the final state: a rerun with a higher --max-iter continues
    /// as one longer run, and a converged run stays converged.
    func testAKeptCheckpointContinuesWithMoreIterations() throws {
        _ = try Factorization.run(request("long.h5", solver: .hals, maxIterations: 30))
        let options = CheckpointOptions(directory: "\(directory)/kept", interval: .iterations(4), keep: true)
        _ = try Factorization.run(request("short.h5", solver: .hals, maxIterations: 12, checkpoint: options))
        XCTAssertTrue(FileManager.default.fileExists(atPath: options.directory))
        let continued = try Factorization.run(request("continued.h5", solver: .hals, maxIterations: 30,
                                                      checkpoint: options))
        XCTAssertEqual(continued.checkpoint?.resumedAtIteration, 12)
        let (got, expected) = (try factors("continued.h5"), try factors("long.h5"))
        XCTAssertEqual(got.w, expected.w)
        XCTAssertEqual(got.h, expected.h)

        let fewer = CheckpointOptions(directory: options.directory, keep: true)
        XCTAssertThrowsError(try Factorization.run(request("fewer.h5", solver: .hals, maxIterations: 20,
                                                           checkpoint: fewer))) {
            XCTAssertEqual($0 as? CheckpointError,
                           .beyondIterationLimit(directory: options.directory, iteration: 30, maxIterations: 20))
        }

        let convergedOptions = CheckpointOptions(directory: "\(directory)/converged", keep: true)
        let converged = try Factorization.run(request("c1.h5", solver: .mu, maxIterations: 500, tolerance: 1e-3,
                                                      checkpoint: convergedOptions))
        XCTAssertTrue(converged.report.converged)
        let again = try Factorization.run(request("c2.h5", solver: .mu, maxIterations: 500, tolerance: 1e-3,
                                                  checkpoint: convergedOptions))
        XCTAssertEqual(again.report.iterations, converged.report.iterations, "a converged run stays where it stopped")
        XCTAssertEqual(try factors("c2.h5").w, try factors("c1.h5").w)
    }

    func testIntervalsAndDurationsParse() {
        XCTAssertEqual(CheckpointInterval(parsing: "25"), .iterations(25))
        XCTAssertEqual(CheckpointInterval(parsing: "10m"), .seconds(600))
        XCTAssertEqual(CheckpointInterval(parsing: "1h30m"), .seconds(5400))
        XCTAssertNil(CheckpointInterval(parsing: "0"))
        XCTAssertNil(CheckpointInterval(parsing: "-3"))
        XCTAssertNil(CheckpointInterval(parsing: "5x"))
        XCTAssertEqual(WallClockDuration.seconds(parsing: "3h50m"), 13800)
        XCTAssertEqual(WallClockDuration.seconds(parsing: "1.5h"), 5400)
        XCTAssertEqual(WallClockDuration.seconds(parsing: "90s"), 90)
        XCTAssertEqual(WallClockDuration.seconds(parsing: "2d"), 172_800)
        XCTAssertEqual(WallClockDuration.seconds(parsing: "03:50:00"), 13800)
        XCTAssertEqual(WallClockDuration.seconds(parsing: "1-00:00:00"), 86400)
        XCTAssertEqual(WallClockDuration.seconds(parsing: "45:30"), 2730)
        for bad in ["", "10", "m", "3h50", "1:2:3:4", "soon", "-5m"] {
            XCTAssertNil(WallClockDuration.seconds(parsing: bad), bad)
        }
        XCTAssertEqual(WallClockDuration.format(13800), "3h50m")
        XCTAssertEqual(WallClockDuration.format(1), "1s")
    }

    /// A limit under a second was told as "0s".
    func testShortDurationsKeepTheirFraction() {
        XCTAssertEqual(WallClockDuration.format(0.15), "0.15s")
        XCTAssertEqual(WallClockDuration.format(2.5), "2.5s")
        XCTAssertEqual(WallClockDuration.format(12.4), "12s")
        for seconds in [0.15, 0.5, 2.25, 9.75] {
            XCTAssertEqual(WallClockDuration.seconds(parsing: WallClockDuration.format(seconds)), seconds, "\(seconds)")
        }
    }
}
