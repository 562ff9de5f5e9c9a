/// How generated datasets are compressed.
public enum Compression: Sendable, Equatable, Codable, CustomStringConvertible {
    case none
    /// Deflate at `level` 0...9, after HDF5's byte shuffle (which lets numbers compress far
    /// better: the high bytes of neighbouring values are alike).
    case gzip(level: Int)

    /// Reads the command-line spelling: `none` or `gzip:LEVEL`.
    public init(parsing text: String) throws(GenerationError) {
        if text == "none" {
            self = .none
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "gzip", let level = Int(parts[1]) else {
            throw .invalidParameter(name: "compression", value: text, requirement: "must be none or gzip:LEVEL")
        }
        self = .gzip(level: level)
        try validate()
    }

    public func validate() throws(GenerationError) {
        if case .gzip(let level) = self, !(0...9).contains(level) {
            throw .invalidParameter(name: "compression", value: description,
                                    requirement: "the gzip level must be in 0...9")
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .gzip(let level): "gzip:\(level)"
        }
    }
}
