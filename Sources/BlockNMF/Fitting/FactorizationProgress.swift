/// Progress of a running factorization or transform.
public struct FactorizationProgress: Sendable {
    public let iteration: IterationProgress
    /// Bytes of V read so far and the seconds the reader spent on them.
    public let bytesRead: Int
    public let readSeconds: Double

    /// The loop's per-iteration callback for `onProgress`, with `reader`'s statistics as
    /// they stand at each iteration; nil when nobody listens.
    static func reporting(to onProgress: ((FactorizationProgress) -> Void)?,
                          from reader: some MatrixReader) -> ((IterationProgress) -> Void)? {
        guard let onProgress else { return nil }
        return { iteration in
            onProgress(FactorizationProgress(iteration: iteration, bytesRead: reader.bytesRead,
                                             readSeconds: reader.readSeconds))
        }
    }
}
