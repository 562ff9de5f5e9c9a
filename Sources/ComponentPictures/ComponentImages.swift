import NMFKernels

/// Components as pictures: each row of H (k×n) reshaped to an image of `ImageShape`
/// (n = height·width pixels, row-major), one tile per component in a grid of ⌈√k⌉
/// columns, left to right and top to bottom in component order.
///
/// Each tile is scaled to its own maximum, round(255·v/max): 0 is black and the
/// component's largest value white, so a faint component shows its shape as clearly
/// as a strong one (a component of zeros stays black). Tiles are separated by lines one
/// pixel wide of `separatorLevel`, which also fills the cells after the last tile.
public enum ComponentImages {
    /// Mid gray: neither a tile's black (zero) nor its white (maximum), so tiles stand apart.
    public static let separatorLevel: UInt8 = 128

    /// Rows and columns of the grid for `tiles` tiles: the fewest columns c with c² ≥ tiles,
    /// and as many rows as the tiles fill.
    public static func gridSize(tiles: Int) -> (rows: Int, columns: Int) {
        precondition(tiles > 0, "a grid needs at least one tile")
        var columns = 1
        while columns * columns < tiles { columns += 1 }
        return ((tiles + columns - 1) / columns, columns)
    }

    /// The grid of every row of `components` as an image of `shape`.
    /// - Parameter source: names the components in the error when the shape does not fit.
    public static func grid<T: NMFScalar>(_ components: Matrix<T>, shape: ImageShape,
                                          source: String = "H") throws(ComponentImageError) -> GrayscaleImage {
        try check(shape, columns: components.columns, source: source)
        let (gridRows, gridColumns) = gridSize(tiles: components.rows)
        var image = GrayscaleImage(width: gridColumns * (shape.width + 1) - 1,
                                   height: gridRows * (shape.height + 1) - 1, filling: separatorLevel)
        for component in 0..<components.rows {
            let top = (component / gridColumns) * (shape.height + 1)
            let left = (component % gridColumns) * (shape.width + 1)
            let first = component * components.columns
            let values = components.elements[first..<(first + components.columns)]
            let maximum = values.reduce(0.0) { max($0, Double($1)) }
            for pixel in 0..<shape.pixels {
                image[top + pixel / shape.width, left + pixel % shape.width] =
                    level(Double(values[first + pixel]), maximum: maximum)
            }
        }
        return image
    }

    /// Refuses a shape whose pixel count is not the number of columns.
    public static func check(_ shape: ImageShape, columns: Int, source: String) throws(ComponentImageError) {
        guard shape.pixels == columns else {
            throw .shapeMismatch(shape: shape, columns: columns, source: source)
        }
    }

    /// round(255·v/max), with anything at or below zero (and NaN) black.
    static func level(_ value: Double, maximum: Double) -> UInt8 {
        guard maximum > 0, value > 0 else { return 0 }
        return UInt8((255 * min(value, maximum) / maximum).rounded())
    }
}

/// Why components cannot be drawn as asked.
public enum ComponentImageError: Error, Equatable, CustomStringConvertible {
    case shapeMismatch(shape: ImageShape, columns: Int, source: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(shape, columns, source):
            return "--image-shape \(shape) has \(shape.pixels) pixels but \(source) has \(columns) columns; "
                + "each row must be one image of HEIGHT·WIDTH = \(columns) pixels"
        }
    }
}
