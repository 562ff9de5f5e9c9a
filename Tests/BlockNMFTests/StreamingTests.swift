import BlockNMF
import Foundation
import HDF5Store
import NMFKernels
import TestSupport
import XCTest

/// V streamed from HDF5 gives exactly the in-memory result, for every block size
/// and thread count.
final class StreamingTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var directory: String { scratch.path }

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    /// 1300 rows: five full tiles and a short one, so blocks end mid-stream and at the end.
    private let v = TestMatrices.planted(1300, 40, rank: 4, noise: 0.05, seed: 51, as: Double.self)

    private func source<T: NMFScalar & HDF5Scalar>(chunkRows: Int?, as _: T.Type) throws -> DenseRowBlockSource<T> {
        let path = "\(directory)/v-\(chunkRows ?? 0).h5"
        if !FileManager.default.fileExists(atPath: path) {
            let file = try HDF5File.create(path)
            try file.write(dataset: "/X", shape: [v.rows, v.columns], elements: v.converted(to: T.self).elements,
                           chunkRows: chunkRows, deflateLevel: chunkRows == nil ? nil : 4, shuffle: chunkRows != nil)
            try file.close()
        }
        return try DenseRowBlockSource<T>(file: try HDF5File.openReadOnly(path), dataset: "/X")
    }

    func testStreamedEqualsInMemoryForEveryBlockSizeAndThreadCount() throws {
        for chunkRows in [nil, 100] as [Int?] {
            for solver in Solver.allCases {
                for initialization in [InitializationMethod.nndsvda, .random] {
                    let configuration = NMFConfiguration(components: 4, solver: solver, initialization: initialization,
                                                         maxIterations: 20, tolerance: 0)
                    let reference = try NMF<Double>(configuration).fit(v)
                    for (blockRows, threads) in [(256, 1), (512, 2), (1280, 4)] {
                        let streamed = try HDF5RowBlocks(source: try source(chunkRows: chunkRows, as: Double.self),
                                                         blockRows: blockRows, sourceDescription: "v")
                        let fit = try NMF<Double>(configuration, threads: threads).fit(streamed)
                        let label = "\(solver) \(initialization) chunks \(String(describing: chunkRows)) blocks \(blockRows) threads \(threads)"
                        XCTAssertEqual(fit.w, reference.w, label)
                        XCTAssertEqual(fit.components, reference.components, label)
                        XCTAssertEqual(fit.report.reconstructionError, reference.report.reconstructionError, label)
                        XCTAssertEqual(streamed.bytesRead % (v.rows * v.columns * 8), 0, "whole passes read")
                    }
                }
            }
        }
    }

    func testFloat32StreamEqualsFloat32InMemory() throws {
        let configuration = NMFConfiguration(components: 4, solver: .hals, maxIterations: 15, tolerance: 0)
        let reference = try NMF<Float>(configuration).fit(v.converted(to: Float.self))
        let streamed = try HDF5RowBlocks(source: try source(chunkRows: 100, as: Float.self), blockRows: 512,
                                         sourceDescription: "v")
        let fit = try NMF<Float>(configuration, threads: 2).fit(streamed)
        XCTAssertEqual(fit.w, reference.w)
        XCTAssertEqual(fit.components, reference.components)
    }

    func testReadAllEqualsTheDataset() throws {
        let streamed = try HDF5RowBlocks(source: try source(chunkRows: 100, as: Double.self), blockRows: 256,
                                         sourceDescription: "v")
        XCTAssertEqual(try streamed.readAll(), v)
    }

    func testReadErrorsReachTheCaller() throws {
        let streamed = try HDF5RowBlocks(source: try source(chunkRows: nil, as: Double.self), blockRows: 256,
                                         sourceDescription: "v")
        struct Stop: Error {}
        var blocksSeen = 0
        XCTAssertThrowsError(try streamed.forEachBlock { _, _ in
            blocksSeen += 1
            if blocksSeen == 2 { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        // The reader stopped with the consumer: the next pass starts from the beginning.
        var firstRows: [Int] = []
        try streamed.forEachBlock { first, _ in firstRows.append(first) }
        XCTAssertEqual(firstRows, [0, 256, 512, 768, 1024, 1280])
    }
}
