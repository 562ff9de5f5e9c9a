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

    /// A block the reader cannot read (a damaged chunk in block 2 of 6): HDF5's error, thrown on
    /// the reader queue, reaches the caller after the blocks before it and none after; the pass
    /// returns, and so does the next one. A fit on that file fails with it and writes nothing.
    func testAnErrorInTheReaderReachesTheCaller() throws {
        let damaged = scratch.file("damaged.h5")
        let script = """
            import sys, h5py, numpy as np
            with h5py.File(sys.argv[1], 'w') as f:
                f.create_dataset('X', data=np.arange(1300 * 12, dtype='f8').reshape(1300, 12) % 7,
                                 chunks=(16, 12), compression='gzip')
            with h5py.File(sys.argv[1], 'r') as f:
                chunk = f['X'].id.get_chunk_info_by_coord((640, 0))
            with open(sys.argv[1], 'r+b') as f:
                f.seek(chunk.byte_offset + 2)
                f.write(bytes(chunk.size - 2))
            """
        let written = try PythonRunner.run(["-c", script, damaged])
        XCTAssertEqual(written.status, 0, "h5py (tools/setup.sh --tests) is needed: \(written.standardError)")
        func assertDamage(_ error: any Error, _ context: String) {
            XCTAssertNotNil(error as? HDF5StoreError, "\(context): \(error)")
            XCTAssertTrue("\(error)".hasPrefix("\(damaged) is damaged: "), "\(context): \(error)")
            XCTAssertTrue("\(error)".contains("inflate() failed"), "\(context): \(error)")
        }

        let streamed = try HDF5RowBlocks(
            source: try DenseRowBlockSource<Double>(file: try HDF5File.openReadOnly(damaged), dataset: "/X"),
            blockRows: 256, sourceDescription: "damaged")
        for pass in 1...2 {
            let outcome = try returnsInTime { () -> (firstRows: [Int], error: (any Error)?) in
                var firstRows: [Int] = []
                do {
                    try streamed.forEachBlock { first, _ in firstRows.append(first) }
                    return (firstRows, nil)
                } catch {
                    return (firstRows, error)
                }
            }
            guard let error = outcome.error else { return XCTFail("pass \(pass) read a damaged chunk") }
            assertDamage(error, "pass \(pass)")
            XCTAssertEqual(outcome.firstRows, [0, 256], "pass \(pass): the blocks before the damaged one")
        }

        let output = scratch.file("out.h5")
        let request = FactorizationRequest(input: damaged, dataset: "/X", output: output,
                                           configuration: NMFConfiguration(components: 2, maxIterations: 3),
                                           threads: 2, blockRows: 256)
        let fitError = try returnsInTime { () -> (any Error)? in
            do {
                _ = try Factorization.run(request)
                return nil
            } catch {
                return error
            }
        }
        guard let error = fitError else { return XCTFail("a fit read a damaged chunk") }
        assertDamage(error, "fit")
        XCTAssertEqual(scratch.contents.sorted(), ["damaged.h5"], "the fit left files behind")
    }

    /// Runs `body` on another thread and returns what it returns; throws when it has not
    /// returned within a minute (a reader that hangs its pass).
    private func returnsInTime<Value: Sendable>(_ body: @escaping @Sendable () -> Value) throws -> Value {
        let slot = ResultSlot<Value>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            slot.value = body()
            done.signal()
        }
        guard done.wait(timeout: .now() + 60) == .success, let value = slot.value else { throw PassHung() }
        return value
    }

    /// A consumer that throws ends the pass: the reader stops with it, and the next pass
    /// starts from the beginning.
    func testAConsumerThatThrowsEndsThePass() throws {
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

/// What a thread hands back: written before it signals, read after the wait.
private final class ResultSlot<Value>: @unchecked Sendable {
    var value: Value?
}

private struct PassHung: Error, CustomStringConvertible {
    var description: String { "the pass did not return within a minute" }
}
