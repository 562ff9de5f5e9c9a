import Foundation

extension FactorizationRequest {
    /// Every rule a request follows before any file is opened: each parameter's
    /// (`NMFConfiguration.validate`), the worker threads', the time limit's, and the outputs'.
    /// `Factorization.run` checks them first; the tool adds only rules about its own flags.
    public func validate() throws(NMFError) {
        try configuration.validate()
        try WorkerThreads.check(threads)
        try Self.checkTimeLimit(timeLimit, checkpointed: checkpoint != nil)
        // Neither exists yet, so compare the paths: the image's rename would replace the result.
        if let image = componentsImage,
           URL(fileURLWithPath: image.path).standardizedFileURL == URL(fileURLWithPath: output).standardizedFileURL {
            throw .invalidParameter(name: "components-png", value: image.path, requirement: "must differ from the output file")
        }
    }

    /// A time limit stops the run with a checkpoint: it must be a usable duration, and
    /// there must be a checkpoint directory to save the run in.
    public static func checkTimeLimit(_ timeLimit: Double?, checkpointed: Bool) throws(NMFError) {
        guard let timeLimit else { return }
        guard WallClockDuration.isUsable(timeLimit) else {
            throw .invalidParameter(name: "time-limit", value: "\(timeLimit) s", requirement: "must be positive")
        }
        guard checkpointed else {
            throw .needsCheckpoint(name: "time-limit", value: WallClockDuration.format(timeLimit))
        }
    }
}

extension TransformRequest {
    /// The rules a transform request follows before any file is opened; the model's
    /// parameters are checked when it is read (`ModelFile`).
    public func validate() throws(NMFError) {
        try WorkerThreads.check(threads)
    }
}
