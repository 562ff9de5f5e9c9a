/// A dataset inside an HDF5 file, written `FILE.h5:/path/to/dataset` on the command line.
public struct DatasetReference: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let dataset: String

    public init(file: String, dataset: String) {
        self.file = file
        self.dataset = dataset.hasPrefix("/") ? dataset : "/" + dataset
    }

    /// Splits at the last colon, so a file name may itself contain colons.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let file = String(text[..<colon]), dataset = String(text[text.index(after: colon)...])
        guard !file.isEmpty, !dataset.isEmpty, dataset != "/" else { return nil }
        self.init(file: file, dataset: dataset)
    }

    public var description: String { "\(file):\(dataset)" }
}
