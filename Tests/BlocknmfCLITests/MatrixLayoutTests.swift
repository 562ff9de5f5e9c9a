import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Every place an AnnData, 10x or h5sparse file keeps a matrix is factored with the samples —
/// observations, cells — as rows: the fixtures hold one count matrix (300 cells × 40 genes,
/// scikit-learn's fits of it in sklearn_sparse.h5) in each layout, and every layout gives the
/// CSR file's W and H, bit for bit (the dense layer to rounding).
final class MatrixLayoutTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    /// scikit-learn's `cd` case of sklearn_sparse.h5, in float64 (float32 counts convert exactly).
    private let arguments = ["--rank", "4", "--solver", "cd", "--init", "nndsvda", "--tol", "0.0001",
                             "--max-iter", "400", "--precision", "float64", "--quiet"]
    /// The same from random factors, for budgets too small for NNDSVD's SVD (107.2 KiB for these
    /// 300 rows: it must fit in half of --memory).
    private var fromRandom: [String] { arguments.map { $0 == "nndsvda" ? "random" : $0 } }

    private func factor(_ fixture: String, _ dataset: String?, _ extra: [String] = [], output: String,
                        randomStart: Bool = false,
                        file: StaticString = #filePath, line: UInt = #line) throws -> (w: [Double], h: [Double]) {
        let run = try BlocknmfExecutable.run(["factor", fixturePath(fixture), "--output", output]
                                             + (dataset.map { ["--dataset", $0] } ?? [])
                                             + (randomStart ? fromRandom : arguments) + extra)
        XCTAssertEqual(run.status, 0, "\(fixture) \(dataset ?? "(default)") \(extra): \(run.standardError)",
                       file: file, line: line)
        let result = try HDF5File.openReadOnly(output)
        let w = try result.readMatrix(dataset: "/W", as: Double.self)
        XCTAssertEqual([w.rows, w.columns], [300, 4], "\(fixture) \(dataset ?? ""): W has a row per cell",
                       file: file, line: line)
        return (w.elements, try result.readMatrix(dataset: "/H", as: Double.self).elements)
    }

    /// The fit of the CSR file, checked against scikit-learn's (from random factors: the same
    /// fit's, run in memory).
    private func reference(randomStart: Bool = false) throws -> (w: [Double], h: [Double]) {
        let output = scratch.file("reference.h5")
        let fit = try factor("sklearn_sparse.h5", "/X", output: output, randomStart: randomStart)
        if randomStart { return fit }
        let (result, sklearn) = (try HDF5File.openReadOnly(output), try HDF5File.openReadOnly(fixturePath("sklearn_sparse.h5")))
        XCTAssertLessThanOrEqual(try relativeDifference(result, "/W", sklearn, "/cd_frobenius/W"), 1e-6)
        XCTAssertLessThanOrEqual(try relativeDifference(result, "/H", sklearn, "/cd_frobenius/H"), 1e-6)
        return fit
    }

    /// An AnnData file whose X is compressed by columns (written by the anndata package, with
    /// layers, raw and obsm beside it, so X is chosen as the AnnData file's matrix) factors
    /// observations × variables: transposed in memory, or copied by rows into the scratch
    /// directory (one bucket, or several under a tiny budget), leaving nothing there.
    func testAnnDataCompressedByColumnsHasObservationsAsRows() throws {
        let expected = try reference(), expectedFromRandom = try reference(randomStart: true)
        let scratchDirectory = scratch.file("scratch")
        try FileManager.default.createDirectory(atPath: scratchDirectory, withIntermediateDirectories: false)
        let readings: [(String, [String], String, Int?, Bool)] = [
            ("in memory", [], "memory", 1, false),
            ("copied, one bucket", ["--block-rows", "256"], "scratch", 1, false),
            ("copied, buckets", ["--memory", "64KiB"], "scratch", nil, true),
        ]
        for (name, extra, place, buckets, randomStart) in readings {
            let output = scratch.file("csc.h5")
            let fit = try factor("anndata_layouts.h5ad", nil, extra + ["--scratch-dir", scratchDirectory], output: output,
                                 randomStart: randomStart)
            XCTAssertEqual(fit.w, (randomStart ? expectedFromRandom : expected).w, "\(name): the CSR file's W")
            XCTAssertEqual(fit.h, (randomStart ? expectedFromRandom : expected).h, "\(name): the CSR file's H")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratchDirectory), [], "\(name): scratch left")
            try FileManager.default.removeItem(atPath: output)

            let json = try BlocknmfExecutable.run(["factor", fixturePath("anndata_layouts.h5ad"), "--output", output,
                                                   "--json", "--scratch-dir", scratchDirectory]
                                                  + (randomStart ? fromRandom : arguments) + extra)
            let plan = try json.jsonSummary()["plan"] as? [String: Any], order = plan?["rowOrder"] as? [String: Any]
            XCTAssertEqual(order?["place"] as? String, place, name)
            if let buckets { XCTAssertEqual(order?["buckets"] as? Int, buckets, name) }
            else { XCTAssertGreaterThan(order?["buckets"] as? Int ?? 0, 1, name) }
            try FileManager.default.removeItem(atPath: output)
        }
        let text = try BlocknmfExecutable.run(["factor", fixturePath("anndata_layouts.h5ad"), "--output", scratch.file("t.h5"),
                                               "--memory", "64KiB", "--scratch-dir", scratchDirectory] + fromRandom)
        XCTAssertTrue(text.standardOutput.contains("(300×40, float64)"), text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("compressed by columns, copied by rows in"), text.standardOutput)
    }

    /// Layers, raw, anndata 0.6's h5sparse groups (CSC X, CSR raw.X), and Cell Ranger's
    /// layouts (v2: a group per genome; v3: /matrix) all factor cells × genes.
    func testEveryLayoutOfOneMatrixGivesItsFit() throws {
        let expected = try reference()
        let sparse: [(String, String?)] = [
            ("anndata_layouts.h5ad", "/layers/counts"), ("anndata_layouts.h5ad", "/raw/X"),
            ("anndata_old.h5ad", nil), ("anndata_old.h5ad", "/raw.X"),
            ("tenx_v2_counts.h5", nil), ("tenx_counts.h5", nil),
        ]
        for (fixture, dataset) in sparse {
            let output = scratch.file("layout.h5")
            let fit = try factor(fixture, dataset, output: output)
            XCTAssertEqual(fit.w, expected.w, "\(fixture) \(dataset ?? "(default)")")
            XCTAssertEqual(fit.h, expected.h, "\(fixture) \(dataset ?? "(default)")")
            try FileManager.default.removeItem(atPath: output)
        }
        // Dense storage sums in BLAS's order: the same fit to rounding.
        let output = scratch.file("dense.h5")
        _ = try factor("anndata_layouts.h5ad", "/layers/dense", output: output)
        let reference = scratch.file("reference.h5")
        let (result, csr) = (try HDF5File.openReadOnly(output), try HDF5File.openReadOnly(reference))
        XCTAssertLessThanOrEqual(try relativeDifference(result, "/W", csr, "/W"), 1e-6)
        XCTAssertLessThanOrEqual(try relativeDifference(result, "/H", csr, "/H"), 1e-6)
    }

    /// A run on a copied column-compressed matrix killed in mid-pass resumes (copying it
    /// again) to the uninterrupted fit, and a stop asked for while the copy is made ends the
    /// run at once, with nothing left in the scratch directory.
    func testACopiedMatrixResumesAndStopsCleanly() throws {
        let expected = try reference(randomStart: true)
        let output = scratch.file("resumed.h5")
        let checkpointed = ["factor", fixturePath("anndata_layouts.h5ad"), "--output", output, "--memory", "64KiB",
                            "--checkpoint", scratch.file("checkpoint"), "--checkpoint-every", "3"] + fromRandom
        let killed = try BlocknmfExecutable.run(checkpointed, environment: ["BLOCKNMF_CRASH_AT": "mid-pass:20"])
        XCTAssertEqual(killed.status, 128 + SIGKILL, killed.standardError)
        let resumed = try BlocknmfExecutable.run(checkpointed)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        let result = try HDF5File.openReadOnly(output)
        XCTAssertEqual(try result.readMatrix(dataset: "/W", as: Double.self).elements, expected.w)
        XCTAssertEqual(try result.readMatrix(dataset: "/H", as: Double.self).elements, expected.h)
        XCTAssertFalse(scratch.contents.contains { $0.hasPrefix(".blocknmf-rows-") }, "\(scratch.contents)")
    }

    /// A scratch directory without room for the row-ordered copy (94.3 KiB under this budget,
    /// as `info` says) is refused before the copy, in one line, leaving nothing there.
    func testAScratchDirectoryWithoutRoomForTheCopyIsRefusedFirst() throws {
        let disk = try SmallFileSystem(size: 64 << 10)
        let output = scratch.file("out.h5")
        let run = try BlocknmfExecutable.run(["factor", fixturePath("anndata_layouts.h5ad"), "--output", output,
                                              "--memory", "64KiB", "--scratch-dir", disk.path] + fromRandom)
        XCTAssertEqual(run.status, 74, run.standardError)
        XCTAssertTrue(run.standardError.hasPrefix(
            "blocknmf: error: no space left on device writing \(disk.path): the row-ordered copy of V needs about 94.3 KiB, "),
                      run.standardError)
        XCTAssertEqual(run.standardError.split(separator: "\n").count, 1, run.standardError)
        XCTAssertEqual(disk.contents, [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
    }

    /// `info` says what the rows are and how a column-compressed matrix will be read.
    func testInfoNamesTheRowsAndTheRowOrder() throws {
        let info = try BlocknmfExecutable.run(["info", fixturePath("anndata_layouts.h5ad")])
        XCTAssertEqual(info.status, 0, info.standardError)
        let lines = info.standardOutput.split(separator: "\n").map(String.init)
        func block(_ path: String) -> [String] {
            guard let start = lines.firstIndex(where: { $0.hasPrefix("  \(path)  ") }) else { return [] }
            return Array(lines[start...].prefix(3))
        }
        XCTAssertTrue(block("/X").first?.contains("sparse CSC 300×40 float64 (AnnData, as declared): 300×40") == true, "\(lines)")
        XCTAssertEqual(block("/X").dropFirst().first, "    rows: 300 observations (obs); columns: 40 variables (var)")
        XCTAssertEqual(block("/X").last, "    factor: float64, compressed by columns: put in row order in memory as it is read, then kept")
        XCTAssertEqual(block("/raw/X").dropFirst().first, "    rows: 300 observations (obs); columns: 40 raw variables (raw/var)")
        XCTAssertEqual(block("/layers/dense").dropFirst().first, "    rows: 300 observations (obs); columns: 40 variables (var)")

        let streamed = try BlocknmfExecutable.run(["info", fixturePath("anndata_layouts.h5ad"), "--memory", "64KiB"])
        XCTAssertTrue(streamed.standardOutput.contains(
            "factor: float64, compressed by columns: first copied by rows into the scratch directory (one read of the group, "
                + "up to 94.3 KiB of disk, removed at the end), then streamed"), streamed.standardOutput)

        for fixture in ["tenx_counts.h5", "tenx_v2_counts.h5"] {
            let tenx = try BlocknmfExecutable.run(["info", fixturePath(fixture)])
            XCTAssertTrue(tenx.standardOutput.contains("    rows: 300 barcodes (cells); columns: 40 features (genes)\n"),
                          tenx.standardOutput)
        }
    }

    /// `generate --layout anndata` keeps W* and H* under `uns` beside X: with no `--dataset`,
    /// X is the AnnData file's matrix; a file that is not AnnData's still asks which one.
    func testAnAnnDataFilesXIsTheMatrixWhenNoneIsNamed() throws {
        for layout in ["anndata", "dense"] {
            let data = scratch.file("\(layout).h5")
            let made = try BlocknmfExecutable.run(["generate", data, "--rows", "300", "--cols", "20", "--rank", "3",
                                                   "--density", "0.5", "--layout", layout, "--quiet"])
            XCTAssertEqual(made.status, 0, made.standardError)
            let fit = try BlocknmfExecutable.run(["factor", data, "--rank", "3", "--max-iter", "5", "--quiet",
                                                  "--output", scratch.file("\(layout).out.h5")])
            if layout == "anndata" {
                XCTAssertEqual(fit.status, 0, fit.standardError)
                XCTAssertTrue(fit.standardOutput.hasPrefix("\(data):/X (300×20, float32)"), fit.standardOutput)
            } else {
                XCTAssertEqual(fit.status, 66, fit.standardError)
                XCTAssertEqual(fit.standardError, "blocknmf: error: no --dataset named and \(data) does not hold exactly "
                                   + "one matrix (it holds 3); matrices present: /H_true, /W_true, /X\n")
            }
        }
    }

    /// A dataset that is not there: the matrices present are listed, sparse groups among them.
    func testMissingDatasetListsSparseGroupsToo() throws {
        let run = try BlocknmfExecutable.run(["factor", fixturePath("anndata_layouts.h5ad"), "--dataset", "/counts",
                                              "--output", scratch.file("out.h5")] + arguments)
        XCTAssertEqual(run.status, 66, run.standardError)
        XCTAssertEqual(run.standardError,
                       "blocknmf: error: dataset '/counts' not found in \(fixturePath("anndata_layouts.h5ad")); matrices present: "
                           + "/X (sparse group), /layers/counts (sparse group), /layers/dense, /obsm/X_pca, "
                           + "/raw/X (sparse group)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.file("out.h5")))
    }
}
