import Foundation
import HDF5Store
import PNGDecoding
import TestSupport
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

        // The learned parts: 17 tiles of 32×32 in 5 columns and 4 rows, lines between them.
        let imagePath = "\(directory)/swimmer-parts.png"
        XCTAssertTrue(result.standardOutput.contains("parts image: \(imagePath) (17 tiles of 32×32)"),
                      result.standardOutput)
        let image = try DecodedPNG(contentsOf: imagePath)
        XCTAssertEqual([image.width, image.height], [5 * 32 + 4, 4 * 32 + 3])
        try assertComponentGrid(image, drawnFrom: "\(directory)/swimmer-nmf.h5", height: 32, width: 32)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory)),
                       ["swimmer.h5", "swimmer-nmf.h5", "swimmer-parts.png"])

        // The kept start is `factor` with its seed, as README says: the same factors bit for bit.
        let kept = try XCTUnwrap(result.standardOutput.split(separator: "\n")
            .first { $0.hasPrefix("kept seed ") }?.dropFirst("kept seed ".count).prefix { $0.isNumber })
        let refit = scratch.file("refit.h5")
        let factor = try BlocknmfExecutable.run(
            ["factor", "\(directory)/swimmer.h5", "--dataset", "/X", "--rank", "17", "--solver", "cd",
             "--init", "nndsvdar", "--tol", "1e-6", "--seed", String(kept), "--output", refit, "--quiet"])
        XCTAssertEqual(factor.status, 0, factor.standardError)
        for dataset in ["/W", "/H"] {
            XCTAssertEqual(try HDF5File.openReadOnly(refit).readMatrix(dataset: dataset, as: Double.self).elements,
                           try factors.readMatrix(dataset: dataset, as: Double.self).elements, dataset)
        }
    }

    /// OpenBLAS rounds differently with each of its kernel sets, and which one a machine gets
    /// depends on its processor (and on whether OpenBLAS knows the model: one that it does not
    /// know may get the oldest). Seed 0 must recover every part with each set this processor
    /// can run; OPENBLAS_VERBOSE=2 makes OpenBLAS name the set it uses, so the test sees that
    /// the forced one ran.
    func testDemoRecoversAllPartsWithEveryOpenBLASKernelSetThisProcessorRuns() throws {
        let kernelSets = try OpenBLASKernelSets.runnableHere()
        #if arch(x86_64)
        XCTAssertFalse(kernelSets.isEmpty, "no x86-64 OpenBLAS kernel set matches /proc/cpuinfo's flags")
        #endif
        for kernelSet in kernelSets {
            let scratch = try ScratchDirectory()
            let result = try BlocknmfExecutable.run(
                ["demo", "--directory", scratch.file("demo"), "--quiet"],
                environment: ["OPENBLAS_CORETYPE": kernelSet, "OPENBLAS_VERBOSE": "2"])
            XCTAssertEqual(result.status, 0, "\(kernelSet): \(result.standardError)")
            XCTAssertTrue(result.standardError.contains("Core: \(kernelSet)\n"), "\(kernelSet): \(result.standardError)")
            XCTAssertTrue(result.standardOutput.contains("recovered 17 of 17 parts"),
                          "\(kernelSet): \(result.standardOutput)")
        }
    }
}
