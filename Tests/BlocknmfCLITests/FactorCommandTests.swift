import Foundation
import HDF5Store
import TestSupport
import XCTest

final class FactorCommandTests: XCTestCase {
    /// A seeded planted rank-10 matrix plus noise, float32, 2000×1000.
    private func writeInput(to path: String, rows: Int = 2000, columns: Int = 1000) throws {
        let v = TestMatrices.planted(rows, columns, rank: 10, noise: 0.01, seed: 7, as: Float.self)
        let file = try HDF5File.create(path)
        try file.write(dataset: "/X", shape: [rows, columns], elements: v.elements)
        try file.close()
    }

    func testFactorWritesTheDocumentedOutputAndReportsErrorAndIterations() throws {
        let scratch = try ScratchDirectory()
        try writeInput(to: scratch.file("data.h5"))
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("data.h5"), "--rank", "10", "--output", scratch.file("out.h5"),
            "--max-iter", "50", "--quiet",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("relative error"), result.standardOutput)
        XCTAssertEqual(result.standardError, "", "--quiet printed on stderr")

        let output = try HDF5File.openReadOnly(scratch.file("out.h5"))
        let w = try output.readMatrix(dataset: "/W", as: Float.self)
        let h = try output.readMatrix(dataset: "/H", as: Float.self)
        XCTAssertEqual([w.rows, w.columns, h.rows, h.columns], [2000, 10, 10, 1000])
        guard case .integer(let iterations) = try output.attribute("n_iter") else { return XCTFail("n_iter missing") }
        XCTAssertTrue((1...50).contains(iterations), "n_iter \(iterations)")
        XCTAssertTrue(result.standardOutput.contains("\(iterations) iterations"), result.standardOutput)
        XCTAssertEqual(try output.readArray(dataset: "/loss_history", as: Double.self).shape, [iterations + 1])
        XCTAssertEqual(try output.attribute("n_components"), .integer(10))
        XCTAssertEqual(try output.attribute("solver"), .string("anls"))
        XCTAssertEqual(try output.attribute("init"), .string("sample"))
        XCTAssertEqual(try output.attribute("precision"), .string("float32"))
        guard case .double(let relative) = try output.attribute("relative_error") else {
            return XCTFail("relative_error missing")
        }
        XCTAssertLessThan(relative, 0.05)
        for name in ["tol", "alpha_W", "alpha_H", "l1_ratio", "random_state", "max_iter", "converged",
                     "reconstruction_err", "input_file", "input_dataset"] {
            XCTAssertNoThrow(try output.attribute(name), name)
        }
        XCTAssertEqual(Set(scratch.contents), ["data.h5", "out.h5"], "temporary files left behind")
    }

    func testCustomInitFromFilesAndAllFlags() throws {
        let scratch = try ScratchDirectory()
        try writeInput(to: scratch.file("data.h5"), rows: 40, columns: 30)
        let inits = try HDF5File.create(scratch.file("init.h5"))
        try inits.write(dataset: "/W0", shape: [40, 3], elements: [Double](repeating: 0.5, count: 120))
        try inits.write(dataset: "/H0", shape: [3, 30], elements: (0..<90).map { Double($0 % 7 + 1) / 7 })
        try inits.close()
        let result = try BlocknmfExecutable.run([
            "factor", scratch.file("data.h5"), "--dataset", "/X", "--rank", "3", "--output", scratch.file("out.h5"),
            "--solver", "mu", "--init", "custom", "--init-w", scratch.file("init.h5") + ":/W0",
            "--init-h", scratch.file("init.h5") + ":/H0", "--max-iter", "30", "--tol", "0",
            "--alpha-w", "0.01", "--alpha-h", "same", "--l1-ratio", "0.5", "--seed", "7",
            "--precision", "float64",
        ])
        XCTAssertEqual(result.status, 0, result.standardError)
        let output = try HDF5File.openReadOnly(scratch.file("out.h5"))
        XCTAssertEqual(try output.attribute("init"), .string("custom"))
        XCTAssertEqual(try output.attribute("alpha_H"), .string("same"))
        XCTAssertEqual(try output.attribute("l1_ratio"), .double(0.5))
        XCTAssertEqual(try output.attribute("random_state"), .integer(7))
        XCTAssertEqual(try output.attribute("precision"), .string("float64"))
        XCTAssertEqual(try output.attribute("n_iter"), .integer(30))
    }
}
