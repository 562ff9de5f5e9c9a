import Foundation
import HDF5Store
import PNGDecoding
import TestSupport
import XCTest

/// `factor --image-shape HxW --components-png FILE.png`: the grid drawn from /H, the
/// shape checked against the data before any work, and no PNG when the fit fails.
final class ComponentsImageTests: XCTestCase {
    private var scratch: ScratchDirectory!

    /// 40 images of 6×5 pixels, each a mix of three bars (a row, a column, a diagonal).
    override func setUpWithError() throws {
        scratch = try ScratchDirectory()
        var parts = [[Double]](repeating: [Double](repeating: 0, count: 30), count: 3)
        for column in 0..<5 { parts[0][2 * 5 + column] = 1 }
        for row in 0..<6 { parts[1][row * 5 + 3] = 1 }
        for step in 0..<5 { parts[2][step * 5 + step] = 1 }
        var images: [Double] = []
        for image in 0..<40 {
            let weights = (0..<3).map { (part: Int) -> Double in
                let step: Int = (image * (2 * part + 3) + part) % 7
                return Double(step) + 0.5
            }
            for pixel in 0..<30 {
                var value = 0.01
                for part in 0..<3 { value += weights[part] * parts[part][pixel] }
                images.append(value)
            }
        }
        let file = try HDF5File.create(scratch.file("images.h5"))
        try file.write(dataset: "/X", shape: [40, 30], elements: images)
        images[7] = -1
        try file.write(dataset: "/negative", shape: [40, 30], elements: images)
        try file.close()
    }

    override func tearDown() { scratch = nil }

    private func factor(_ extra: [String], dataset: String = "/X") throws -> CommandResult {
        try BlocknmfExecutable.run(["factor", scratch.file("images.h5"), "--dataset", dataset, "--rank", "3",
                                    "--output", scratch.file("fit.h5"), "--quiet"] + extra)
    }

    func testTheComponentsAreDrawnFromHAsTilesScaledToTheirMaximum() throws {
        let png = scratch.file("parts.png")
        let result = try factor(["--image-shape", "6x5", "--components-png", png])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.hasSuffix("-> \(scratch.file("fit.h5")), components drawn in \(png)\n"),
                      result.standardOutput)
        let image = try DecodedPNG(contentsOf: png)
        // Three tiles of 6 rows × 5 columns: 2 columns and 2 rows of tiles.
        XCTAssertEqual([image.width, image.height], [2 * 5 + 1, 2 * 6 + 1])
        try assertComponentGrid(image, drawnFrom: scratch.file("fit.h5"), height: 6, width: 5)
        // Every component is scaled to its own maximum, so each tile holds a white pixel.
        for (top, left) in [(0, 0), (0, 6), (7, 0)] {
            let tile = (0..<6).flatMap { row in (0..<5).map { image[top + row, left + $0] } }
            XCTAssertEqual(tile.max(), 255)
        }
        XCTAssertEqual(Set(scratch.contents), ["images.h5", "fit.h5", "parts.png"])
    }

    func testTheJSONSummaryNamesTheImage() throws {
        let png = scratch.file("parts.png")
        let result = try factor(["--image-shape", "6×5", "--components-png", png, "--json"])
        XCTAssertEqual(result.status, 0, result.standardError)
        let summary = try result.jsonSummary()
        XCTAssertEqual(summary["componentsImage"] as? String, png)
    }

    /// Runs `factor` expecting failure before anything is written; returns the first line
    /// on stderr, the only one but for usage errors (which the argument parser follows with
    /// the usage).
    private func refusal(_ extra: [String], dataset: String = "/X", status: Int32, usage: Bool = false,
                         file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try factor(extra, dataset: dataset)
        XCTAssertEqual(result.status, status, result.standardError, file: file, line: line)
        let lines = result.standardError.split(separator: "\n")
        if usage {
            XCTAssertTrue(lines.dropFirst().contains { $0.hasPrefix("Usage: blocknmf factor") }, result.standardError,
                          file: file, line: line)
        } else {
            XCTAssertEqual(lines.count, 1, result.standardError, file: file, line: line)
        }
        XCTAssertEqual(scratch.contents, ["images.h5"], "files left behind", file: file, line: line)
        return String(lines.first ?? "")
    }

    func testAShapeThatIsNotTheColumnCountIsRefusedBeforeTheFit() throws {
        let message = try refusal(["--image-shape", "5x5", "--components-png", scratch.file("parts.png")],
                                  status: 64)
        XCTAssertEqual(message, "blocknmf: error: --image-shape 5x5 has 25 pixels but \(scratch.file("images.h5")):/X "
                       + "has 30 columns; each row must be one image of HEIGHT·WIDTH = 30 pixels")
    }

    func testTheTwoFlagsGoTogether() throws {
        let withoutShape = try refusal(["--components-png", scratch.file("parts.png")], status: 64, usage: true)
        XCTAssertTrue(withoutShape.contains("--components-png needs --image-shape HxW"), withoutShape)
        let withoutFile = try refusal(["--image-shape", "6x5"], status: 64, usage: true)
        XCTAssertTrue(withoutFile.contains("--image-shape is used only with --components-png"), withoutFile)
        let badShape = try refusal(["--image-shape", "6by5", "--components-png", scratch.file("parts.png")],
                                   status: 64, usage: true)
        XCTAssertTrue(badShape.contains("'6by5' is invalid for '--image-shape <HxW>'"), badShape)
        let sameFile = try refusal(["--image-shape", "6x5", "--components-png", scratch.file("./fit.h5")], status: 64)
        XCTAssertTrue(sameFile.contains("must differ from the output file"), sameFile)
    }

    func testNoImageWhenTheFitFails() throws {
        let message = try refusal(["--image-shape", "6x5", "--components-png", scratch.file("parts.png")],
                                  dataset: "/negative", status: 65)
        XCTAssertTrue(message.contains("negative value -1.0 at row 0, column 7"), message)
    }

    func testAnUnwritableImageFailsBeforeTheFit() throws {
        let message = try refusal(["--image-shape", "6x5", "--components-png", scratch.file("missing/parts.png")],
                                  status: 73)
        XCTAssertTrue(message.contains("cannot create \(scratch.file("missing/parts.png"))"), message)
    }
}
