/// Repeats a workload in trials long enough to time and summarizes the rates.
///
/// The first runs warm up caches, page tables and BLAS buffers and also find how many
/// repetitions make a trial last `minimumTrialSeconds`, so short kernels are not
/// timed at the resolution of the clock.
struct RateMeasurement: Sendable {
    let minimumTrialSeconds: Double
    let trials: Int

    /// `runRepetitions(r)` performs `r` repetitions of the workload; `workPerRepetition`
    /// is what one repetition accomplishes (flops or bytes, summed over all workers).
    func measure(workPerRepetition: Double, _ runRepetitions: (Int) -> Void) -> RateSummary {
        var repetitions = 1
        var seconds = elapsedSeconds { runRepetitions(repetitions) }
        while seconds < minimumTrialSeconds / 8 {
            repetitions *= 4
            seconds = elapsedSeconds { runRepetitions(repetitions) }
        }
        let perRepetition = seconds / Double(repetitions)
        repetitions = max(1, Int((minimumTrialSeconds / perRepetition).rounded(.up)))

        var rates: [Double] = []
        var totalSeconds = 0.0
        for _ in 0..<trials {
            let trialSeconds = elapsedSeconds { runRepetitions(repetitions) }
            totalSeconds += trialSeconds
            rates.append(workPerRepetition * Double(repetitions) / trialSeconds)
        }
        return RateSummary(rates: rates, repetitionsPerTrial: repetitions, seconds: totalSeconds)
    }

    /// A single timed run per trial, for workloads whose preparation cannot be repeated
    /// inside one timing (such as reading a file just evicted from the page cache).
    func measureOnce(work: Double, prepare: () throws -> Void, run: () throws -> Void) rethrows -> RateSummary {
        var rates: [Double] = []
        var totalSeconds = 0.0
        for _ in 0..<trials {
            try prepare()
            let seconds = try elapsedSeconds(run)
            totalSeconds += seconds
            rates.append(work / seconds)
        }
        return RateSummary(rates: rates, repetitionsPerTrial: 1, seconds: totalSeconds)
    }
}

/// Rates of every trial with the median, which the report quotes, and the best.
struct RateSummary: Codable, Sendable {
    let median: Double
    let best: Double
    let trialRates: [Double]
    let repetitionsPerTrial: Int
    let seconds: Double

    init(rates: [Double], repetitionsPerTrial: Int, seconds: Double) {
        let sorted = rates.sorted()
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        best = sorted.last ?? 0
        trialRates = rates
        self.repetitionsPerTrial = repetitionsPerTrial
        self.seconds = seconds
    }

    func scaled(by factor: Double) -> RateSummary {
        RateSummary(rates: trialRates.map { $0 * factor },
                    repetitionsPerTrial: repetitionsPerTrial, seconds: seconds)
    }
}

func elapsedSeconds(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let (seconds, attoseconds) = (clock.now - start).components
    return Double(seconds) + Double(attoseconds) * 1e-18
}
