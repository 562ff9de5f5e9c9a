import HDF5Store
import PNGDecoding
import XCTest

/// Checks a components PNG against the H it was drawn from, pixel by pixel, as README
/// describes it: a grid of ⌈√k⌉ columns, each tile row i of H reshaped to height×width
/// and scaled by round(255·v/max of the row), one-pixel lines of gray 128 between tiles
/// and in the cells after the last one.
func assertComponentGrid(_ png: DecodedPNG, drawnFrom resultFile: String, height: Int, width: Int,
                         file: StaticString = #filePath, line: UInt = #line) throws {
    let h = try HDF5File.openReadOnly(resultFile).readMatrix(dataset: "/H", as: Double.self)
    XCTAssertEqual(h.columns, height * width, "H's columns are the pixels", file: file, line: line)
    var gridColumns = 1
    while gridColumns * gridColumns < h.rows { gridColumns += 1 }
    let gridRows = (h.rows + gridColumns - 1) / gridColumns
    XCTAssertEqual([png.width, png.height, png.bitDepth, png.colorType],
                   [gridColumns * (width + 1) - 1, gridRows * (height + 1) - 1, 8, 0], file: file, line: line)
    guard png.width == gridColumns * (width + 1) - 1, png.height == gridRows * (height + 1) - 1 else { return }

    var expected = [UInt8](repeating: 128, count: png.width * png.height)
    for component in 0..<h.rows {
        let values = h.elements[(component * h.columns)..<((component + 1) * h.columns)]
        let maximum = values.max() ?? 0
        let top = (component / gridColumns) * (height + 1), left = (component % gridColumns) * (width + 1)
        for pixel in 0..<(height * width) {
            let value = values[values.startIndex + pixel]
            let level = maximum > 0 && value > 0 ? UInt8((255 * value / maximum).rounded()) : 0
            expected[(top + pixel / width) * png.width + left + pixel % width] = level
        }
    }
    let mismatches = zip(png.pixels, expected).enumerated().filter { $0.element.0 != $0.element.1 }
    XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) pixels differ, first at \(mismatches.first.map { ($0.offset / png.width, $0.offset % png.width) }.map { "\($0)" } ?? "")",
                  file: file, line: line)
}
