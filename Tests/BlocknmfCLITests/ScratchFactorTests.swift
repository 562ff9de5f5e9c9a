import Foundation
import HDF5Store
import TestSupport
import XCTest

/// W in a scratch file gives exactly the result of W in memory, and leaves nothing behind.
final class ScratchFactorTests: XCTestCase {
    private func factors(_ path: String) throws -> [Float] {
        let file = try HDF5File.openReadOnly(path)
        return try file.readMatrix(dataset: "/W", as: Float.self).elements
            + file.readMatrix(dataset: "/H", as: Float.self).elements
    }

    func testScratchWEqualsInMemoryWForRandomAndCustomInit() throws {
        let scratch = try ScratchDirectory()
        let generated = try BlocknmfExecutable.run(["generate", scratch.file("v.h5"), "--rows", "2000", "--cols", "60",
                                                    "--rank", "4", "--noise", "0.1", "--chunk-rows", "256", "--quiet"])
        XCTAssertEqual(generated.status, 0, generated.standardError)
        let inits = try HDF5File.create(scratch.file("init.h5"))
        try inits.write(dataset: "/W0", shape: [2000, 4], elements: (0..<8000).map { Float($0 % 11 + 1) / 11 })
        try inits.write(dataset: "/H0", shape: [4, 60], elements: (0..<240).map { Float($0 % 7 + 1) / 7 })
        try inits.close()
        let initFlags: [[String]] = [
            ["--init", "random"],
            ["--init-w", scratch.file("init.h5") + ":/W0", "--init-h", scratch.file("init.h5") + ":/H0"],
        ]
        for flags in initFlags {
            var results: [[Float]] = []
            for storage in ["memory", "scratch"] {
                let output = scratch.file("out-\(storage).h5")
                let result = try BlocknmfExecutable.run([
                    "factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "4", "--output", output,
                    "--max-iter", "15", "--memory", "1MiB", "--w-storage", storage, "--scratch-dir", scratch.path,
                    "--quiet", "--solver", "hals",
                ] + flags)
                XCTAssertEqual(result.status, 0, result.standardError)
                results.append(try factors(output))
            }
            XCTAssertEqual(results[0], results[1], "\(flags)")
            XCTAssertFalse(scratch.contents.contains { $0.contains("W-scratch") }, "scratch file left: \(scratch.contents)")
        }
    }

    func testSVDInitializationsNeedWInMemory() throws {
        let scratch = try ScratchDirectory()
        _ = try BlocknmfExecutable.run(["generate", scratch.file("v.h5"), "--rows", "600", "--cols", "30",
                                        "--rank", "3", "--quiet"])
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("v.h5"), "--dataset", "/X", "--rank", "3", "--output", scratch.file("out.h5"),
            "--w-storage", "scratch", "--init", "nndsvda", "--quiet",
        ])
        XCTAssertEqual(result.status, 64, result.standardError)
        XCTAssertTrue(result.standardError.contains("builds W in memory"), result.standardError)
        XCTAssertEqual(Set(scratch.contents), ["v.h5"])
    }
}
