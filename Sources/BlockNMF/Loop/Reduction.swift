import NMFKernels

/// Where one process's statistics of a pass meet those of the others.
///
/// Every sum over V's tiles — the loop's passes, the validating scan, the randomized
/// SVD's products and the final error — is added in tile order over the rows this
/// process reads and then handed to `combine`. In one process that is the whole
/// matrix and `combine` returns it as it is (`LocalReduction`); a distributed run
/// combines the processes' statistics here, through `PassStatistics`' encoding, and
/// nothing else in the engine changes.
protocol Reduction: Sendable {
    /// The statistics of the whole matrix from those of this process's rows.
    func combine<Statistics: PassStatistics>(_ local: Statistics) throws -> Statistics
}

/// One process reads every row: its statistics are the whole matrix's.
struct LocalReduction: Reduction {
    func combine<Statistics: PassStatistics>(_ local: Statistics) -> Statistics { local }
}

extension TilePass {
    /// One pass whose tiles each give a share of `Statistics`, added in tile order and
    /// combined by `reduction`. `beforeEach` runs on the calling thread before each share
    /// is added (a stop request ends the pass there).
    func sum<Job: Sendable, Statistics: PassStatistics>(
        _ empty: Statistics, reduction: some Reduction,
        prepare: (Range<Int>) throws -> Job,
        compute: @escaping @Sendable (Job, MatrixRows<T>) throws -> Statistics.TileShare,
        beforeEach: () throws -> Void = {}
    ) throws -> Statistics {
        var statistics = empty
        try run(prepare: prepare, compute: compute, combine: { _, share in
            try beforeEach()
            statistics.add(share)
        })
        return try reduction.combine(statistics)
    }
}
