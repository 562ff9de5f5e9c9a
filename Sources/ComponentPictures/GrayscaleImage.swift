/// An 8-bit grayscale image: 0 is black, 255 white, pixels row by row from the top left.
public struct GrayscaleImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, filling level: UInt8 = 0) {
        precondition(width > 0 && height > 0, "an image needs at least one pixel")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: level, count: width * height)
    }

    public subscript(row: Int, column: Int) -> UInt8 {
        get { pixels[row * width + column] }
        set { pixels[row * width + column] = newValue }
    }

    /// The image as a PNG file's bytes.
    public var pngData: [UInt8] { PNGEncoder.encode(self) }
}
