import Foundation
import HDF5Store
import XCTest

final class DemoCommandTests: XCTestCase {
    func testDemoRecoversAllPartsAndWritesItsFiles() throws {
        let scratch = try ScratchDirectory()
        let directory = scratch.file("demo")
        let result = try BlocknmfExecutable.run(["demo", "--directory", directory, "--quiet"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("recovered 17 of 17 parts"), result.standardOutput)
        let factors = try HDF5File.openReadOnly("\(directory)/swimmer-nmf.h5")
        XCTAssertEqual(try factors.readMatrix(dataset: "/H", as: Double.self).rows, 17)
        let data = try HDF5File.openReadOnly("\(directory)/swimmer.h5")
        XCTAssertEqual(try data.readMatrix(dataset: "/X", as: Double.self).rows, 256)
    }
}
