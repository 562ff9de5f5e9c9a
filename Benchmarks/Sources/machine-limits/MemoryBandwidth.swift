import Dispatch

struct BandwidthRate: Codable, Sendable {
    let kernel: String
    let workers: Int
    let arrayBytes: Int
    /// GB/s (10⁹ bytes), counting the bytes the kernel reads and writes, not the
    /// write-allocate reads the cache adds, as STREAM does.
    let gbps: RateSummary
}

/// STREAM copy and triad over arrays far larger than the last-level cache.
struct MemoryBandwidth {
    let arrayBytes: Int
    let measurement: RateMeasurement

    func measure(workerCounts: [Int], report: (BandwidthRate) -> Void) {
        let count = arrayBytes / MemoryLayout<Double>.size
        let arrays = StreamArrays(count: count)
        for workers in workerCounts {
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                arrays.fill(arrays.slice(worker, of: workers))
            }
            for kernel in StreamKernel.allCases {
                let bytes = Double(kernel.bytesPerElement * count)
                let summary = measurement.measure(workPerRepetition: bytes) { repetitions in
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        let range = arrays.slice(worker, of: workers)
                        for _ in 0..<repetitions { arrays.run(kernel, range) }
                    }
                }
                precondition(arrays.checksum.isFinite)
                report(BandwidthRate(kernel: kernel.formula, workers: workers, arrayBytes: count * 8,
                                     gbps: summary.scaled(by: 1e-9)))
            }
        }
    }
}
