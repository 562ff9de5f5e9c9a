/// The height and width of the images a data set's rows hold, each row the pixels of
/// one image row after row (row-major, as NumPy's `reshape(height, width)` reads it).
/// Written `HEIGHTxWIDTH` on the command line, e.g. `32x32`.
public struct ImageShape: Sendable, Equatable, Codable, CustomStringConvertible {
    public let height: Int
    public let width: Int

    public init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "an image needs at least one pixel")
        self.height = height
        self.width = width
    }

    /// `32x32`, `28×28` or `64X48`: two positive whole numbers around an x.
    public init?(parsing text: String) {
        let parts = text.split(omittingEmptySubsequences: false) { $0 == "x" || $0 == "X" || $0 == "×" }
        guard parts.count == 2, let height = Int(parts[0]), let width = Int(parts[1]), height > 0, width > 0,
              !height.multipliedReportingOverflow(by: width).overflow else { return nil }
        self.init(height: height, width: width)
    }

    public var pixels: Int { height * width }

    public var description: String { "\(height)x\(width)" }
}
