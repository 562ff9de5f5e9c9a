import ComponentPictures
import NMFKernels
import PNGDecoding
import XCTest

/// Components drawn as a grid of tiles, read back through the PNG file.
final class ComponentImagesTests: XCTestCase {
    func testTilesAreScaledToTheirOwnMaximumAndSeparated() throws {
        // Three components of 4×5 images: one bright pixel, a ramp, and zeros.
        let shape = ImageShape(height: 4, width: 5)
        var components = Matrix<Double>(rows: 3, columns: 20)
        components[0, 2 * 5 + 3] = 0.25
        for pixel in 0..<20 { components[1, pixel] = Double(pixel) * 3 }
        let image = try ComponentImages.grid(components, shape: shape)
        let decoded = try DecodedPNG(bytes: image.pngData)

        // Three tiles: 2 columns and 2 rows of 4×5 tiles, one-pixel lines between them.
        XCTAssertEqual([decoded.width, decoded.height], [2 * 5 + 1, 2 * 4 + 1])
        let separator = ComponentImages.separatorLevel
        for row in 0..<4 {
            for column in 0..<5 {
                // Tile 0, top left: only the bright pixel is lit, white.
                XCTAssertEqual(decoded[row, column], row == 2 && column == 3 ? 255 : 0, "tile 0 (\(row), \(column))")
                // Tile 1, top right: the ramp 0, 3, …, 57 scaled to 255 at its maximum.
                let expected = UInt8((255 * Double(row * 5 + column) / 19).rounded())
                XCTAssertEqual(decoded[row, 6 + column], expected, "tile 1 (\(row), \(column))")
                // Tile 2, bottom left: all zeros stay black.
                XCTAssertEqual(decoded[5 + row, column], 0, "tile 2 (\(row), \(column))")
                // The unused cell, bottom right.
                XCTAssertEqual(decoded[5 + row, 6 + column], separator, "unused cell (\(row), \(column))")
            }
        }
        for row in 0..<decoded.height { XCTAssertEqual(decoded[row, 5], separator, "vertical line, row \(row)") }
        for column in 0..<decoded.width { XCTAssertEqual(decoded[4, column], separator, "horizontal line \(column)") }
    }

    func testTheGridIsRoughlySquare() {
        let sizes = [1, 2, 3, 4, 5, 10, 16, 17, 26].map { ComponentImages.gridSize(tiles: $0) }
        XCTAssertEqual(sizes.map { [$0.rows, $0.columns] },
                       [[1, 1], [1, 2], [2, 2], [2, 2], [2, 3], [3, 4], [4, 4], [4, 5], [5, 6]])
    }

    func testASingleComponentIsOneTileWithoutLines() throws {
        let components = Matrix<Float>(rows: 1, columns: 6) { _, column in Float(column) }
        let image = try ComponentImages.grid(components, shape: ImageShape(height: 2, width: 3))
        XCTAssertEqual([image.width, image.height], [3, 2])
        XCTAssertEqual(image.pixels, [0, 51, 102, 153, 204, 255])
    }

    func testHalfLevelsRoundUp() throws {
        let components = Matrix<Double>(rows: 1, columns: 2, elements: [1, 2])
        XCTAssertEqual(try ComponentImages.grid(components, shape: ImageShape(height: 1, width: 2)).pixels,
                       [128, 255], "255·1/2 = 127.5")
    }

    func testAShapeThatIsNotTheColumnCountIsRefused() {
        let components = Matrix<Double>(rows: 2, columns: 12, repeating: 1)
        XCTAssertThrowsError(try ComponentImages.grid(components, shape: ImageShape(height: 3, width: 5),
                                                      source: "data.h5:/X")) { error in
            XCTAssertEqual(error as? ComponentImageError,
                           .shapeMismatch(shape: ImageShape(height: 3, width: 5), columns: 12, source: "data.h5:/X"))
            XCTAssertEqual("\(error)", "--image-shape 3x5 has 15 pixels but data.h5:/X has 12 columns; "
                           + "each row must be one image of HEIGHT·WIDTH = 12 pixels")
        }
    }

    func testImageShapesAreParsedAsHeightByWidth() {
        XCTAssertEqual(ImageShape(parsing: "32x32"), ImageShape(height: 32, width: 32))
        XCTAssertEqual(ImageShape(parsing: "28×14"), ImageShape(height: 28, width: 14))
        XCTAssertEqual(ImageShape(parsing: "4X6")?.width, 6)
        for bad in ["32", "0x5", "5x0", "-3x4", "3x4x5", "x4", "3x", "axb", "", "99999999999x99999999999"] {
            XCTAssertNil(ImageShape(parsing: bad), bad)
        }
    }
}
