@testable import BlockNMF
import NMFKernels
import TestSupport
import XCTest

/// `--init sample`: which rows the sample is, that they are V's rows whatever the blocks,
/// and what the start they give is worth.
final class RowSampleTests: XCTestCase {
    /// For many shapes: ascending, disjoint runs of whole tiles within V, at most `runs` of
    /// them, holding at least the wanted share of the rows (or all of them), and the count
    /// that `rowCount` gives.
    func testRangesAreDisjointRunsOfWholeTilesSpreadOverV() {
        let tile = TileSchedule.rowsPerTile
        for m in [1, 5, tile, 3 * tile + 1, 1000, 20_000, 123_457, 4_000_000] {
            for (n, k) in [(30, 2), (2000, 20), (40_000, 50)] {
                let ranges = RowSample.ranges(rows: m, columns: n, components: k, rowsPerTile: tile)
                let label = "m \(m), n \(n), k \(k)"
                XCTAssertFalse(ranges.isEmpty, label)
                XCTAssertLessThanOrEqual(ranges.count, RowSample.runs, label)
                var end = 0
                for range in ranges {
                    XCTAssertGreaterThanOrEqual(range.lowerBound, end, "\(label): runs overlap or go back")
                    XCTAssertEqual(range.lowerBound % tile, 0, "\(label): a run starts inside a tile")
                    XCTAssertTrue(range.upperBound % tile == 0 || range.upperBound == m, "\(label): a run ends inside a tile")
                    XCTAssertLessThanOrEqual(range.upperBound, m, label)
                    XCTAssertFalse(range.isEmpty, label)
                    end = range.upperBound
                }
                let count = ranges.reduce(0) { $0 + $1.count }
                XCTAssertEqual(RowSample.rowCount(rows: m, columns: n, components: k, rowsPerTile: tile), count, label)
                let share = min(max(m / 20, 100 * k), RowSample.maxValues / n)
                XCTAssertGreaterThanOrEqual(count, min(m, share), "\(label): fewer rows than the sample's share")
                XCTAssertLessThanOrEqual(count * n, max(RowSample.maxValues + RowSample.runs * tile * n, m * n), label)
                if ranges.count > 1 {
                    XCTAssertGreaterThanOrEqual(ranges.last!.lowerBound, m / 2 - tile, "\(label): the runs do not reach V's end")
                }
            }
        }
    }

    /// The sample is V's rows, whether V comes whole or in blocks of any size.
    func testSampleRowsAreVsRowsWhateverTheBlocks() throws {
        let v = TestMatrices.planted(9000, 12, rank: 3, noise: 0.1, seed: 4, as: Float.self)
        let ranges = RowSample.ranges(rows: v.rows, columns: v.columns, components: 3,
                                      rowsPerTile: TileSchedule.rowsPerTile)
        XCTAssertGreaterThan(ranges.count, 1)
        let expected = ranges.flatMap { v.rows($0).elements }
        XCTAssertEqual(try InMemoryRowBlocks(v).sampleRows(ranges).elements, expected)
        for blockRows in [TileSchedule.rowsPerTile, 3 * TileSchedule.rowsPerTile, 1024] {
            XCTAssertEqual(try SplitRowBlocks(v, blockRows: blockRows).sampleRows(ranges).elements, expected,
                           "blocks of \(blockRows) rows")
        }
    }

    /// The sample fit's stopping rule: the objective against the one `window` iterations
    /// before, stopping at a decrease of at least 0 and below the tolerance.
    func testSampleFitStopsOnTheDecreaseOverItsWindow() {
        let objectives = [100.0, 60, 50, 45, 44, 43.9, 43.5, 43.45, 43.44, 43.43]
        var expected: Int?
        for iteration in 4...objectives.count {
            let before = objectives[iteration - 4], now = objectives[iteration - 1]
            if (before - now) / before >= 0, (before - now) / before < 0.02 { expected = iteration; break }
        }
        XCTAssertEqual(expected, 8, "the example stops where the window's decrease first falls below 2 %")
        var rule = StoppingRule(solver: .anls, tolerance: 0.02, window: 3)
        var stopped: Int?
        for (index, objective) in objectives.enumerated() {
            if rule.isSatisfied(iteration: index + 1, violation: objective, error: 0, initialError: 0) {
                stopped = index + 1
                break
            }
        }
        XCTAssertEqual(stopped, expected)
    }

    /// The same fit for any thread count and any block size.
    func testSampleStartIsTheSameForAnyThreadsAndBlocks() throws {
        let v = TestMatrices.planted(2500, 40, rank: 4, noise: 0.2, seed: 8, as: Double.self)
        let configuration = NMFConfiguration(components: 4, solver: .anls, initialization: .sample, maxIterations: 3,
                                             tolerance: 0)
        let one = try NMF<Double>(configuration, threads: 1).fit(v)
        let two = try NMF<Double>(configuration, threads: 2).fit(v)
        XCTAssertEqual(two.w, one.w, "2 threads")
        XCTAssertEqual(two.components, one.components, "2 threads")
        for (threads, blockRows) in [(4, TileSchedule.rowsPerTile), (2, 5 * TileSchedule.rowsPerTile)] {
            let other = try NMF<Double>(configuration, threads: threads).fit(SplitRowBlocks(v, blockRows: blockRows))
            XCTAssertEqual(other.w, one.w, "\(threads) threads, blocks of \(blockRows)")
            XCTAssertEqual(other.components, one.components, "\(threads) threads, blocks of \(blockRows)")
        }
    }

    /// A planted factorization with sparse factors (nearly unique) and no noise: the sample's
    /// H is the planted one up to scale and order, so the first pass over V already fits V,
    /// where a random start is still far off.
    func testOnePassFromTheSampleFitsAPlantedFactorization() throws {
        let v = ANLSTests.sparseFactored(6000, 50, rank: 5, seed: 21, noise: 0)
        func error(_ initialization: InitializationMethod) throws -> Double {
            let fit = try NMF<Double>(NMFConfiguration(components: 5, solver: .anls, initialization: initialization,
                                                       maxIterations: 1, tolerance: 0)).fit(v)
            return TestMatrices.denseResidual(v, fit.w, fit.components) / v.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
        }
        let sampled = try error(.sample)
        XCTAssertLessThan(sampled, 1e-6)
        XCTAssertGreaterThan(try error(.random), 1000 * sampled)
    }

    /// Every solver starts from the sample's H with W where `transform` starts it, and the
    /// β-divergences too (the sample is fitted by `mu` then).
    func testEverySolverAndLossStartsFromTheSample() throws {
        let v = TestMatrices.planted(1200, 30, rank: 3, noise: 0.1, seed: 2, as: Double.self)
        for (solver, loss) in [(Solver.cd, BetaLoss.frobenius), (.hals, .frobenius), (.mu, .frobenius),
                               (.mu, .kullbackLeibler)] {
            let fit = try NMF<Double>(NMFConfiguration(components: 3, solver: solver, initialization: .sample,
                                                       maxIterations: 5, tolerance: 0, loss: loss)).fit(v)
            XCTAssertEqual(fit.report.initialization, "sample")
            XCTAssertTrue(fit.report.reconstructionError.isFinite, "\(solver), \(loss)")
            // The loss of (W₀, H₀) against the fit's: `mu` on a β-divergence evaluates it every
            // 10th iteration only, so the final error stands for the last.
            XCTAssertLessThan(fit.report.reconstructionError, fit.report.lossHistory.first!, "\(solver), \(loss)")
        }
    }
}

