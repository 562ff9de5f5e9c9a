import NMFKernels

/// `--init sample`: H₀ from a short fit in memory on a sample of V's rows, read in a
/// fraction of a pass, so that the first pass over all of V starts from an H near the
/// answer instead of spending passes on finding it. W₀ starts as `transform` starts it:
/// zeros, or √(mean(V)/k) for `mu`, which cannot leave zeros; every solver's first pass
/// updates W from H₀ before H moves.
///
/// The sample is whole tiles in runs spread evenly over V, chosen from V's shape and k
/// alone, so the fit is the same for every thread count, block size and memory budget.
enum RowSample {
    /// Runs of rows the sample is read in: spread over V, so that rows stored in some
    /// order (by batch, by time) are all represented.
    static let runs = 16
    /// The sample's share of V's rows, unless `rowsPerComponent`·k rows are more.
    static let fraction = 1.0 / 20
    static let rowsPerComponent = 100
    /// At most this many values (a dense copy in memory, whatever V's storage).
    static let maxValues = 1 << 25
    /// The fit on the sample stops once its objective fell by less than `tolerance`
    /// (relative) over the last `window` iterations, or after `maxIterations`. Over a window,
    /// not one iteration: single iterations lower it by less than 10⁻⁶ long before H is as
    /// good as the sample allows, while data with no structure to find stop within a few
    /// windows. (`mu`, for the β-divergences, checks its own rule every 10th iteration.)
    static let window = 10
    static let tolerance = 5e-4
    static let maxIterations = 200

    /// The rows of the sample of an m×n V at rank k: ascending, disjoint runs of whole tiles.
    static func ranges(rows m: Int, columns n: Int, components k: Int, rowsPerTile tile: Int) -> [Range<Int>] {
        let perComponent = k.multipliedReportingOverflow(by: rowsPerComponent)
        let wanted = min(max(Int((Double(m) * fraction).rounded(.up)), perComponent.overflow ? .max : perComponent.partialValue),
                         maxValues / max(n, 1))
        let tilesWanted = max(1, (wanted + tile - 1) / tile)
        let runCount = min(runs, tilesWanted)
        let runLength = (tilesWanted + runCount - 1) / runCount * tile
        if runLength * runCount >= m { return m > 0 ? [0..<m] : [] }
        var ranges: [Range<Int>] = []
        for run in 0..<runCount {
            let start = max(m / runCount * run / tile * tile, ranges.last?.upperBound ?? 0)
            let end = min(start + runLength, m)
            if start < end { ranges.append(start..<end) }
        }
        return ranges
    }

    /// The rows of the sample, as `ranges` counts them.
    static func rowCount(rows m: Int, columns n: Int, components k: Int, rowsPerTile tile: Int) -> Int {
        ranges(rows: m, columns: n, components: k, rowsPerTile: tile).reduce(0) { $0 + $1.count }
    }

    /// Bytes the sample and its fit hold: the rows, the fit's W and its NNDSVD's randomized SVD
    /// (m×(k+10) and n×(k+10) matrices).
    /// Saturates at `Int.max` (a rank too large to address, which the fit refuses elsewhere).
    static func memoryBytes(sampleRows s: Int, columns n: Int, components k: Int, elementBytes: Int) -> Int {
        let width = Double(k) + 10
        let bytes = Double(elementBytes) * (Double(s) * Double(n) + 4 * Double(s) * width + 2 * Double(n) * width)
        return bytes < Double(Int.max) ? Int(bytes) : .max
    }

    /// H₀: a fit on the sample with the configuration's loss and penalties (which scale with
    /// the sample's rows as with V's), from scikit-learn's default start: by `anls` for the
    /// Frobenius loss whatever the solver (the fewest iterations to the answer), by `mu`
    /// otherwise. It depends on the configuration's loss and penalties only, not on its
    /// iteration limit or tolerance.
    static func initialH<Data: RowBlockProvider>(for data: Data, configuration: NMFConfiguration, threads: Int)
        throws -> Matrix<Data.Element>
    {
        let ranges = ranges(rows: data.rows, columns: data.columns, components: configuration.components,
                            rowsPerTile: data.rowsPerTile)
        let sample = try data.sampleRows(ranges)
        var settings = configuration
        settings.solver = configuration.loss.isFrobenius ? .anls : .mu
        settings.initialization = .defaultMethod(components: configuration.components, samples: sample.rows,
                                                 features: sample.columns)
        settings.maxIterations = maxIterations
        settings.tolerance = tolerance
        var fit = NMF<Data.Element>(settings, threads: threads)
        fit.nested = .init(stoppingWindow: window)
        let fitted = try fit.fit(InMemoryRowBlocks(sample, sourceDescription: "a sample of \(data.sourceDescription)"))
        return fitted.components
    }
}
