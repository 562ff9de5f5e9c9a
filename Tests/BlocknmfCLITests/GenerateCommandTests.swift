import Foundation
import HDF5Store
import TestSupport
import XCTest

final class GenerateCommandTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    func testWritesTheMatrixAndItsFactorsAndPrintsOneLine() throws {
        let output = scratch.file("planted.h5")
        let result = try BlocknmfExecutable.run(["generate", output, "--rows", "300", "--cols", "20", "--rank", "3",
                                                 "--noise", "0.1", "--type", "uint16", "--scale", "1000",
                                                 "--compression", "gzip:4", "--quiet"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertEqual(result.standardError, "")
        let lines = result.standardOutput.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.standardOutput)
        XCTAssertTrue(result.standardOutput.hasPrefix("\(output): 300×20 uint16, rank 3, noise 0.1, seed 0, gzip:4: "),
                      result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("MB on disk") && result.standardOutput.contains("MB/s"))

        let datasets = try HDF5File.openReadOnly(output).datasets()
        XCTAssertEqual(datasets.map(\.path), ["/H_true", "/W_true", "/X"])
        XCTAssertEqual(datasets.map(\.shape), [[3, 20], [300, 3], [300, 20]])
        XCTAssertEqual(datasets.map(\.elementType.name), ["float64", "float64", "uint16"])
        XCTAssertEqual(datasets[2].filters, ["shuffle", "deflate(4)"])
        XCTAssertEqual(scratch.contents, ["planted.h5"], "no temporary file left behind")
    }

    /// `--layout anndata` writes a file the anndata package opens: X the CSR of the matrix the
    /// dense layout stores, W* and H* in uns, rows and columns named by their numbers.
    func testAnnDataLayoutOpensWithAnnData() throws {
        for layout in ["dense", "anndata"] {
            let made = try BlocknmfExecutable.run(["generate", scratch.file("\(layout).h5"), "--rows", "700", "--cols", "12",
                                                   "--rank", "3", "--noise", "0.1", "--density", "0.3", "--seed", "5",
                                                   "--memory", "16K", "--layout", layout, "--quiet"])
            XCTAssertEqual(made.status, 0, made.standardError)
        }
        let check = """
            import sys, warnings
            import anndata, h5py, numpy
            warnings.simplefilter("error")  # an element anndata reads only by its old rules warns
            a = anndata.read_h5ad(sys.argv[1])
            with h5py.File(sys.argv[2], "r") as dense:
                assert a.shape == (700, 12), a.shape
                assert (a.X.toarray() == dense["X"][()]).all()
                assert (a.uns["W_true"] == dense["W_true"][()]).all() and (a.uns["H_true"] == dense["H_true"][()]).all()
            assert list(a.obs_names[:3]) == ["0", "1", "2"] and a.obs_names[-1] == "699" and a.var_names[-1] == "11"
            print(type(a.X).__name__, a.X.nnz)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", check, scratch.file("anndata.h5"), scratch.file("dense.h5")]
        let output = Pipe(), error = Pipe()
        (process.standardOutput, process.standardError) = (output, error)
        try process.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, complaint)
        XCTAssertTrue(printed.hasPrefix("csr_matrix "), printed + complaint)

        let fit = try BlocknmfExecutable.run(["factor", scratch.file("anndata.h5"), "--dataset", "/X", "--rank", "3",
                                              "-o", scratch.file("fit.h5"), "--quiet"])
        XCTAssertEqual(fit.status, 0, fit.standardError)
    }

    func testShowsProgressOnStandardErrorUnlessQuiet() throws {
        let result = try BlocknmfExecutable.run(["generate", scratch.file("progress.h5"), "--rows", "1000",
                                                 "--cols", "10", "--rank", "2"])
        XCTAssertEqual(result.status, 0, result.standardError)
        XCTAssertTrue(result.standardError.contains("100%  1000/1000 rows"), result.standardError)
    }

    /// Runs `generate` expecting failure; returns the single stderr line.
    private func failure(_ arguments: [String], status: Int32 = 64, output: String? = nil,
                         file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let output = output ?? scratch.file("refused.h5")
        let result = try BlocknmfExecutable.run(["generate", output, "--quiet"] + arguments)
        XCTAssertEqual(result.status, status, result.standardError, file: file, line: line)
        XCTAssertEqual(result.standardOutput, "", file: file, line: line)
        let lines = result.standardError.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "expected one line: \(result.standardError)", file: file, line: line)
        XCTAssertEqual(scratch.contents, [], "output or temporary file left behind", file: file, line: line)
        return String(lines.first ?? "")
    }

    func testBadParametersGiveStatus64AndOneLine() throws {
        let shape = ["--rows", "10", "--cols", "10"]
        XCTAssertEqual(try failure(shape + ["--rank", "0"]), "blocknmf: error: invalid --rank 0: must be at least 1")
        XCTAssertEqual(try failure(shape + ["--rank", "2", "--compression", "gzip:12"]),
                       "blocknmf: error: invalid --compression gzip:12: the gzip level must be in 0...9")
        XCTAssertEqual(try failure(shape + ["--rank", "2", "--compression", "zip"]),
                       "blocknmf: error: invalid --compression zip: must be none or gzip:LEVEL")
        XCTAssertEqual(try failure(["--rows", "0", "--cols", "10", "--rank", "2"]),
                       "blocknmf: error: invalid --rows 0: must be at least 1")
        XCTAssertEqual(try failure(shape + ["--rank", "2", "--noise=-1"]),
                       "blocknmf: error: invalid --noise -1.0: must be a finite number ≥ 0")
        XCTAssertEqual(try failure(shape + ["--rank", "2", "--scale", "10"]),
                       "blocknmf: error: invalid --scale 10.0: applies only to integer --type values")
        XCTAssertEqual(try failure(shape + ["--rank", "2", "--memory", "lots"]),
                       "blocknmf: error: invalid --memory lots: must be a size such as 64MiB, 512K or 1G")
    }

    func testUncreatableOutputGivesStatus73() throws {
        let message = try failure(["--rows", "10", "--cols", "10", "--rank", "2"], status: 73,
                                  output: scratch.file("missing-directory/out.h5"))
        XCTAssertTrue(message.contains("cannot create"), message)
    }

    /// Ten times the rows must not take more memory: blocks, not the matrix, are what is held.
    func testPeakMemoryDoesNotGrowWithTheRows() throws {
        func peak(rows: Int) throws -> (peakBytes: Int, dataBytes: Int) {
            let output = scratch.file("rows-\(rows).h5")
            let result = try BlocknmfExecutable.run(["generate", output, "--rows", "\(rows)", "--cols", "500",
                                                     "--rank", "10", "--memory", "4MiB",
                                                     "--quiet", "--json"])
            XCTAssertEqual(result.status, 0, result.standardError)
            try FileManager.default.removeItem(atPath: output)
            let report = try result.jsonSummary()
            let summary = report["summary"] as? [String: Any]
            let peakBytes = try XCTUnwrap(report["peak_resident_bytes"] as? Int)
            return (peakBytes, try XCTUnwrap(summary?["data_bytes"] as? Int))
        }
        let small = try peak(rows: 20_000)
        let large = try peak(rows: 200_000)
        XCTAssertEqual(large.dataBytes, 10 * small.dataBytes)
        XCTAssertEqual(small.dataBytes, 20_000 * 500 * 4)
        XCTAssertGreaterThan(small.peakBytes, 0)
        XCTAssertLessThanOrEqual(large.peakBytes, small.peakBytes + 16 << 20,
                                 "peak RSS \(small.peakBytes) B for 20 000 rows, \(large.peakBytes) B for 200 000")
    }
}
