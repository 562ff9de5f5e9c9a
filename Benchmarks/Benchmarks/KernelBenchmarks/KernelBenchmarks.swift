import Benchmark
import Foundation
import HDF5Store
import NMFKernels

/// The engine's kernels one at a time, on one core: a tile's W update for each rule
/// (V·Hᵀ, the update, Wᵀ·V, Wᵀ·W), the H update from the reduced products, the reduce
/// itself, and a block read from HDF5. Throughput counts tiles, H updates, partials or
/// rows read per second; allocations come from the malloc interposer.
let benchmarks: @Sendable () -> Void = {
    BLASThreads.set(1)
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(2), maxIterations: 10_000)

    let tileRows = 256, columns = 2000
    let v = Matrix<Float>(rows: tileRows, columns: columns) { i, j in Float((i * 31 + j * 17) % 97) / 97 }
    let tile = MatrixRows(v)

    for k in [10, 20, 50] {
        let h = Matrix<Float>(rows: k, columns: columns) { i, j in Float((i * 13 + j * 7) % 89 + 1) / 89 }
        let w = Matrix<Float>(rows: tileRows, columns: k) { i, j in Float((i * 5 + j * 3) % 61 + 1) / 61 }
        let hht = h.gram(of: .rows)
        let wtw = Matrix<Float>(rows: k, columns: k) { i, j in i == j ? 200 : 20 }
        let wtv = Matrix.product(MatrixRows(w), tile, transA: .transposed)
        let none = Penalty(l1: 0, l2: 0)
        let rules: [(String, UpdateScheme)] = [("mu", .multiplicative), ("hals 16 sweeps", .coordinateDescent(sweeps: 16))]

        for (name, rule) in rules {
            Benchmark("tile W update, \(name), k = \(k) (256 × 2000)") { benchmark in
                for _ in benchmark.scaledIterations {
                    var rows = w
                    var cross = Matrix.product(tile, MatrixRows(h), transB: .transposed)
                    _ = rule.updateW(&rows, cross: &cross, gram: hht, penalty: none)
                    blackHole(Matrix.product(MatrixRows(rows), tile, transA: .transposed))
                    blackHole(rows.gram(of: .columns))
                }
            }
            Benchmark("H update, \(name), k = \(k) (n = 2000)") { benchmark in
                for _ in benchmark.scaledIterations {
                    var updated = h
                    blackHole(rule.updateH(&updated, cross: wtv, gram: wtw, penalty: none))
                }
            }
        }
        Benchmark("reduce one tile's partials, k = \(k)") { benchmark in
            var sum = Matrix<Float>(rows: k, columns: columns)
            for _ in benchmark.scaledIterations {
                sum.add(wtv)
                blackHole(sum)
            }
        }
    }

    for (name, deflate) in [("uncompressed", nil), ("gzip 4 + shuffle", 4)] as [(String, Int?)] {
        let rows = 8192
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kernel-benchmarks-\(deflate ?? 0)-\(getpid()).h5").path
        Benchmark("block read, \(name), 2048 × 2000 float32",
                  configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                       setup: {
                                           let file = try! HDF5File.create(path)
                                           let values = (0..<(rows * columns)).map { Float($0 % 1009) / 1009 }
                                           try! file.write(dataset: "/X", shape: [rows, columns], elements: values,
                                                           chunkRows: 128, deflateLevel: deflate, shuffle: deflate != nil)
                                           try! file.close()
                                       },
                                       teardown: { unlink(path) })) { benchmark in
            let source = try DenseRowBlockSource<Float>(file: try HDF5File.openReadOnly(path), dataset: "/X",
                                                        blockRows: 2048)
            var buffer = [Float](repeating: 0, count: 2048 * columns)
            var start = 0
            for _ in benchmark.scaledIterations {
                try source.readRows(start..<(start + 2048), into: &buffer)
                start = (start + 2048) % rows
                blackHole(buffer)
            }
        }
    }
}
