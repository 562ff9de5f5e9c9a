import Dispatch
import NMFKernels

/// The products whose rate bounds an NMF iteration.
enum ProductShape: Sendable {
    /// `C = A·B` with all three n×n: the reference rate BLAS reaches on a large product.
    case square(order: Int)
    /// `Pᵢ = Vᵢ·Hᵀ`: (b×n)·(n×k).
    case blockTimesHTransposed
    /// `Aᵢ = Wᵢᵀ·Vᵢ`: (k×b)·(b×n).
    case wTransposedTimesBlock
    /// `Pᵢ` then `Aᵢ` on the same block, as one engine step does.
    case skinnyPair

    func name(_ dimensions: RowBlockDimensions) -> String {
        let (b, n, k) = (dimensions.blockRows, dimensions.columns, dimensions.rank)
        switch self {
        case .square(let order): return "square \(order)×\(order)·\(order)×\(order)"
        case .blockTimesHTransposed: return "P = Vi·Hᵀ  (\(b)×\(n))·(\(n)×\(k))"
        case .wTransposedTimesBlock: return "A = Wiᵀ·Vi  (\(k)×\(b))·(\(b)×\(n))"
        case .skinnyPair: return "skinny pair P then A"
        }
    }

    func flops(_ dimensions: RowBlockDimensions) -> Double {
        let blockFlops = 2 * Double(dimensions.blockRows) * Double(dimensions.columns) * Double(dimensions.rank)
        switch self {
        case .square(let order): return 2 * Double(order) * Double(order) * Double(order)
        case .blockTimesHTransposed, .wTransposedTimesBlock: return blockFlops
        case .skinnyPair: return 2 * blockFlops
        }
    }
}

struct RowBlockDimensions: Codable, Sendable {
    let blockRows: Int
    let columns: Int
    let rank: Int
}

struct ProductRate: Codable, Sendable {
    let product: String
    let precision: String
    let workers: Int
    let flopsPerProduct: Double
    /// GFLOP/s summed over the workers.
    let gflops: RateSummary
    /// For the skinny pair: how fast the pair consumes V (GB/s of V elements), the figure
    /// to hold against memory and disk bandwidth.
    let inputGBps: RateSummary?
}

/// Measures products the way the engine runs them: every worker a Dispatch thread with
/// single-threaded OpenBLAS, working on blocks of its own.
struct ProductBenchmark<T: NMFScalar> {
    let dimensions: RowBlockDimensions
    let squareOrder: Int
    let lastLevelCacheBytes: Int
    let measurement: RateMeasurement

    func measure(workerCounts: [Int], report: (ProductRate) -> Void) {
        BLASThreads.set(1)
        let shapes: [ProductShape] = [.square(order: squareOrder), .blockTimesHTransposed,
                                      .wTransposedTimesBlock, .skinnyPair]
        for shape in shapes {
            for workers in workerCounts {
                report(rate(of: shape, workers: workers))
            }
        }
    }

    private func rate(of shape: ProductShape, workers: Int) -> ProductRate {
        let flops = shape.flops(dimensions)
        let summary: RateSummary
        switch shape {
        case .square(let order):
            let operands = (0..<workers).map { worker in
                (Self.randomMatrix(order, order, seed: 2 * worker), Self.randomMatrix(order, order, seed: 2 * worker + 1))
            }
            summary = measurement.measure(workPerRepetition: flops * Double(workers)) { repetitions in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let (a, b) = operands[worker]
                    // Written in place: a fresh order² result per product would add page
                    // faults to what should be the kernel's rate.
                    var c = Matrix<T>(rows: order, columns: order)
                    for _ in 0..<repetitions { c.multiplyAdd(a, b) }
                }
            }
        case .blockTimesHTransposed, .wTransposedTimesBlock, .skinnyPair:
            let h = Self.randomMatrix(dimensions.rank, dimensions.columns, seed: -1)
            let operands = (0..<workers).map { worker in blocks(forWorker: worker, workers: workers) }
            summary = measurement.measure(workPerRepetition: flops * Double(workers)) { repetitions in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let blocks = operands[worker]
                    for repetition in 0..<repetitions {
                        let (v, w) = blocks[repetition % blocks.count]
                        // The engine's own calls, allocation of the small result included.
                        switch shape {
                        case .blockTimesHTransposed:
                            _ = Matrix.product(v, h, transB: .transposed)
                        case .wTransposedTimesBlock:
                            _ = Matrix.product(w, v, transA: .transposed)
                        default:
                            _ = Matrix.product(v, h, transB: .transposed)
                            _ = Matrix.product(w, v, transA: .transposed)
                        }
                    }
                }
            }
        }
        let gflops = summary.scaled(by: 1e-9)
        var input: RateSummary?
        if case .skinnyPair = shape {
            // One pass over a block of b·n elements costs 4·b·n·k flops.
            let bytesPerFlop = Double(MemoryLayout<T>.size) / (4 * Double(dimensions.rank))
            input = summary.scaled(by: bytesPerFlop * 1e-9)
        }
        return ProductRate(product: shape.name(dimensions), precision: T.precisionName, workers: workers,
                           flopsPerProduct: flops, gflops: gflops, inputGBps: input)
    }

    /// Enough distinct blocks that one worker's V does not fit in the last-level cache,
    /// since the engine sees every block fresh from memory.
    private func blocks(forWorker worker: Int, workers: Int) -> [(v: Matrix<T>, w: Matrix<T>)] {
        let blockBytes = dimensions.blockRows * dimensions.columns * MemoryLayout<T>.size
        let count = max(1, (2 * lastLevelCacheBytes + blockBytes - 1) / max(blockBytes, 1))
        return (0..<count).map { index in
            let seed = 1000 * worker + 2 * index
            return (Self.randomMatrix(dimensions.blockRows, dimensions.columns, seed: seed),
                    Self.randomMatrix(dimensions.blockRows, dimensions.rank, seed: seed + 1))
        }
    }

    /// Non-negative values like V's: zeros or denormals would not time the same.
    private static func randomMatrix(_ rows: Int, _ columns: Int, seed: Int) -> Matrix<T> {
        var generator = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        return Matrix(rows: rows, columns: columns) { _, _ in
            T.random(in: 0.5..<1.5, using: &generator)
        }
    }
}
