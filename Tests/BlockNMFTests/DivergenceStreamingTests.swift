import BlockNMF
import NMFKernels
import TestSupport
import XCTest

/// β-divergence fits give the same bits in memory and streamed in blocks of any size,
/// on any number of threads, also when the stopping rule undoes the pass after the
/// iterate it stops at.
final class DivergenceStreamingTests: XCTestCase {
    func testStreamedEqualsInMemoryForEveryBlockSizeAndThreadCount() throws {
        var v = TestMatrices.planted(1100, 50, rank: 4, noise: 0.05, seed: 11, as: Double.self)
        for index in stride(from: 0, to: v.elements.count, by: 9) { v.elements[index] = 0 }
        var positive = v
        for index in positive.elements.indices where positive.elements[index] == 0 { positive.elements[index] = 1e-3 }
        for (loss, data, tolerance) in [(BetaLoss.kullbackLeibler, v, 2e-2), (BetaLoss(beta: 0.5), v, 2e-2),
                                        (BetaLoss(beta: 3), v, 0), (BetaLoss.itakuraSaito, positive, 2e-2)] {
            let configuration = NMFConfiguration(components: 4, solver: .mu, initialization: .nndsvda,
                                                 maxIterations: 60, tolerance: tolerance, loss: loss)
            let reference = try NMF<Double>(configuration, threads: 1).fit(InMemoryRowBlocks(data))
            if tolerance > 0 {
                XCTAssertTrue(reference.report.converged, "\(loss) stops early in this test")
                XCTAssertEqual(reference.report.iterations % 10, 0)
                // The pass after the iterate it stops at is undone: the same bits as a fit that
                // runs exactly that many iterations.
                var exact = configuration
                (exact.maxIterations, exact.tolerance) = (reference.report.iterations, 0)
                let plain = try NMF<Double>(exact, threads: 2).fit(InMemoryRowBlocks(data))
                XCTAssertEqual(plain.w, reference.w, "\(loss): W of the stopped fit")
                XCTAssertEqual(plain.components, reference.components, "\(loss): H of the stopped fit")
            }
            for (blockRows, threads) in [(256, 2), (512, 4), (1280, 1)] {
                let fit = try NMF<Double>(configuration, threads: threads).fit(SplitRowBlocks(data, blockRows: blockRows))
                let context = "\(loss), blocks of \(blockRows), \(threads) threads"
                XCTAssertEqual(fit.w, reference.w, context)
                XCTAssertEqual(fit.components, reference.components, context)
                XCTAssertEqual(fit.report.iterations, reference.report.iterations, context)
                XCTAssertEqual(fit.report.lossHistory.map(\.bitPattern), reference.report.lossHistory.map(\.bitPattern),
                               context)
                XCTAssertEqual(fit.report.reconstructionError, reference.report.reconstructionError, context)
            }
        }
    }
}
