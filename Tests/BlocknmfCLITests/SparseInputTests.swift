import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Sparse groups as input — AnnData's CSR `/X`, 10x's CSC `/matrix` (read as its transpose) —
/// give the fits of the same matrix stored dense, and scikit-learn's fits of scipy sparse input.
final class SparseInputTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    private func factors(_ path: String) throws -> (w: [Double], h: [Double]) {
        let file = try HDF5File.openReadOnly(path)
        return (try file.readMatrix(dataset: "/W", as: Double.self).elements,
                try file.readMatrix(dataset: "/H", as: Double.self).elements)
    }

    /// A sparse fit against the fit of the same matrix stored dense: W and H to `tolerance`
    /// (1e-6 in float64), the same n_iter, the final error to `tolerance`/1000 (sums in
    /// another order). Returns the sparse fit's factors.
    private func assertAgreesWithDense(_ output: String, _ reference: String, _ context: String,
                                       tolerance: Double = 1e-6) throws -> (w: [Double], h: [Double])
    {
        let result = try HDF5File.openReadOnly(output), referenceFile = try HDF5File.openReadOnly(reference)
        XCTAssertLessThanOrEqual(try relativeDifference(result, "/W", referenceFile, "/W"), tolerance, context)
        XCTAssertLessThanOrEqual(try relativeDifference(result, "/H", referenceFile, "/H"), tolerance, context)
        XCTAssertEqual(try result.attribute("n_iter"), try referenceFile.attribute("n_iter"), context)
        let (error, expected) = (try Double(attributeText(result, "reconstruction_err", of: "/")) ?? .nan,
                                 try Double(attributeText(referenceFile, "reconstruction_err", of: "/")) ?? .nan)
        XCTAssertEqual(error, expected, accuracy: tolerance / 1000 * expected, context)
        return try factors(output)
    }

    private func assertSameBits(_ results: [(w: [Double], h: [Double])], _ context: String) {
        for other in results.dropFirst() {
            XCTAssertEqual(other.w, results[0].w, context)
            XCTAssertEqual(other.h, results[0].h, context)
        }
    }

    /// Tests/Fixtures/sklearn_sparse.h5: scikit-learn's NMF on a scipy CSR matrix, whose
    /// arrays the file holds as AnnData's /X; anndata_counts.h5ad: the same matrix written by
    /// the anndata package; tenx_counts.h5: the same matrix as Cell Ranger writes it.
    func testScikitLearnFitsOfSparseInputAndAnAnnDataFile() throws {
        let fixture = try HDF5File.openReadOnly(fixturePath("sklearn_sparse.h5"))
        let cases = try fixture.memberNames(of: "/", kind: .group).filter { $0 != "X" }
        XCTAssertEqual(cases.count, 3)
        for name in cases {
            let group = "/\(name)"
            func attribute(_ key: String) throws -> String { try attributeText(fixture, key, of: group) }
            let arguments = ["--rank", try attribute("n_components"), "--solver", try attribute("solver"),
                             "--loss", try attribute("beta_loss"), "--init", try attribute("init"),
                             "--tol", try attribute("tol"), "--max-iter", try attribute("max_iter"), "--quiet"]
            let output = scratch.file("\(name).h5")
            let fit = try BlocknmfExecutable.run(["factor", fixturePath("sklearn_sparse.h5"), "--dataset", "/X",
                                                  "--output", output] + arguments)
            XCTAssertEqual(fit.status, 0, fit.standardError)
            let result = try HDF5File.openReadOnly(output)
            XCTAssertEqual(try result.attribute("n_iter"), try fixture.attribute("n_iter", of: group), name)
            XCTAssertLessThanOrEqual(try relativeDifference(result, "/W", fixture, "\(group)/W"), 1e-6, name)
            XCTAssertLessThanOrEqual(try relativeDifference(result, "/H", fixture, "\(group)/H"), 1e-6, name)

            // The anndata package's file, with no --dataset: /X is its only matrix.
            let fromAnnData = scratch.file("\(name)-anndata.h5")
            let annData = try BlocknmfExecutable.run(["factor", fixturePath("anndata_counts.h5ad"),
                                                      "--output", fromAnnData] + arguments)
            XCTAssertEqual(annData.status, 0, annData.standardError)
            let (w, h) = (try factors(output), try factors(fromAnnData))
            XCTAssertEqual(w.w, h.w, "\(name): the anndata file's fit")
            XCTAssertEqual(w.h, h.h, "\(name): the anndata file's fit")

            // Cell Ranger's layout, with no --dataset: /matrix (genes × cells, int32 counts, int64
            // indices, gzip chunks) is its only matrix, read as cells × genes.
            let fromTenx = scratch.file("\(name)-tenx.h5")
            let tenx = try BlocknmfExecutable.run(["factor", fixturePath("tenx_counts.h5"), "--output", fromTenx]
                                                  + arguments)
            XCTAssertEqual(tenx.status, 0, tenx.standardError)
            let tenxFactors = try factors(fromTenx)
            XCTAssertEqual(tenxFactors.w, w.w, "\(name): the 10x file's fit")
            XCTAssertEqual(tenxFactors.h, w.h, "\(name): the 10x file's fit")
        }
        let info = try BlocknmfExecutable.run(["info", fixturePath("tenx_counts.h5")])
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertTrue(info.standardOutput.contains("/matrix  sparse CSC 40×300"), info.standardOutput)
    }

    /// The same matrix (30 % of its values kept) generated dense, as AnnData's CSR and as 10x's
    /// CSC: every solver and loss gives the same W and H (to 1e-6 in float64: sparse products
    /// add in another order than BLAS), read resident, in row blocks, or in blocks cut by values
    /// under a tiny budget; the two sparse layouts of one matrix give the same bits.
    func testSparseEqualsDenseForEverySolverAndLoss() throws {
        for layout in ["dense", "anndata", "10x"] {
            let made = try BlocknmfExecutable.run([
                "generate", scratch.file("\(layout).h5"), "--rows", "1100", "--cols", "60", "--rank", "4",
                "--noise", "0.1", "--seed", "8", "--density", "0.3", "--layout", layout, "--quiet"])
            XCTAssertEqual(made.status, 0, made.standardError)
        }
        let settings: [[String]] = [["--solver", "cd"], ["--solver", "hals", "--inner-sweeps", "4"],
                                    ["--solver", "mu"], ["--solver", "mu", "--loss", "kullback-leibler"],
                                    ["--solver", "mu", "--loss", "1.5", "--init", "random"]]
        for setting in settings {
            let common = ["--rank", "4", "--max-iter", "25", "--tol", "1e-3", "--precision", "float64", "--quiet"] + setting
            let reference = scratch.file("reference.h5")
            let dense = try BlocknmfExecutable.run(["factor", scratch.file("dense.h5"), "--dataset", "/X",
                                                    "--output", reference, "--block-rows", "256"] + common)
            XCTAssertEqual(dense.status, 0, dense.standardError)
            var sparseResults: [(w: [Double], h: [Double])] = []
            // Streamed under the budget: NNDSVD's SVD (374 KiB) must fit in half of it, and V (247 KB)
            // not in half of what the SVD leaves.
            let budget = setting.contains("random") ? "200KiB" : "800KiB"
            for (layout, group, reading) in [("anndata", "/X", [String]()), ("anndata", "/X", ["--memory", budget]),
                                             ("10x", "/matrix", ["--block-rows", "512"])] {
                let output = scratch.file("\(layout).out.h5")
                let run = try BlocknmfExecutable.run(["factor", scratch.file("\(layout).h5"), "--dataset", group,
                                                      "--output", output] + common + reading)
                XCTAssertEqual(run.status, 0, run.standardError)
                sparseResults.append(try assertAgreesWithDense(output, reference, "\(setting) \(layout) \(reading)"))
                try FileManager.default.removeItem(atPath: output)
            }
            assertSameBits(sparseResults, "\(setting): sparse layouts and block sizes")
            try FileManager.default.removeItem(atPath: reference)
        }
        // Zeros are everywhere in sparse data: Itakura-Saito refuses them, naming one.
        let refused = try BlocknmfExecutable.run(["factor", scratch.file("anndata.h5"), "--dataset", "/X", "--rank", "4",
                                                  "--solver", "mu", "--loss", "itakura-saito",
                                                  "--output", scratch.file("refused.h5"), "--quiet"])
        XCTAssertEqual(refused.status, 65, refused.standardError)
        XCTAssertTrue(refused.standardError.contains("has a zero at row"), refused.standardError)
    }

    /// At 1 % of 120 columns a sparse tile holds 4096 rows (`TileSchedule.sparseRowsPerTile`)
    /// against 256 for the same matrix stored dense: the fits agree to 1e-6 (W, H, n_iter and
    /// the final error, which sparse input sums from its values and the factors' Grams) for
    /// every solver and loss, including a β whose dense terms go 256 rows at a time (and to 1e-3
    /// in float32 for cd and Kullback-Leibler); and the sparse fit is the same bits resident, in
    /// blocks, cut by values, and on one thread.
    func testTallSparseTilesAgreeWithTheDenseFit() throws {
        for layout in ["dense", "anndata"] {
            let made = try BlocknmfExecutable.run([
                "generate", scratch.file("\(layout).h5"), "--rows", "10000", "--cols", "120", "--rank", "3",
                "--noise", "0.2", "--seed", "3", "--density", "0.01", "--layout", layout, "--quiet"])
            XCTAssertEqual(made.status, 0, made.standardError)
        }
        let info = try BlocknmfExecutable.run(["info", scratch.file("anndata.h5")])
        XCTAssertTrue(info.standardOutput.contains("tiles of 4096 rows"), info.standardOutput)
        // float32 runs a fixed number of iterations: its rounding could move a tol verdict.
        let float32 = ["--precision", "float32", "--tol", "0", "--max-iter", "10"]
        // From random factors: NNDSVD's SVD of 10 000 rows would take more memory than this V, whose
        // blocks are to be cut by the budget.
        let settings: [[String]] = [["--solver", "cd"], ["--solver", "mu"], ["--solver", "mu", "--loss", "kullback-leibler"],
                                    ["--solver", "mu", "--loss", "1.5"],
                                    ["--solver", "cd"] + float32, ["--solver", "mu", "--loss", "kullback-leibler"] + float32]
            .map { $0 + ["--init", "random"] }
        for setting in settings {
            let precision = setting.contains("float32") ? [] : ["--precision", "float64", "--tol", "1e-4", "--max-iter", "20"]
            let common = ["--dataset", "/X", "--rank", "3", "--quiet"] + precision + setting
            let reference = scratch.file("reference.h5")
            let dense = try BlocknmfExecutable.run(["factor", scratch.file("dense.h5"), "--output", reference] + common)
            XCTAssertEqual(dense.status, 0, dense.standardError)
            var results: [(w: [Double], h: [Double])] = []
            for reading in [[], ["--block-rows", "4096"], ["--memory", "128KiB", "--w-storage", "memory"], ["--threads", "1"]] {
                let output = scratch.file("sparse.h5")
                let run = try BlocknmfExecutable.run(["factor", scratch.file("anndata.h5"), "--output", output]
                                                     + common + reading)
                XCTAssertEqual(run.status, 0, run.standardError)
                results.append(try assertAgreesWithDense(output, reference, "\(setting) \(reading)",
                                                         tolerance: setting.contains("float32") ? 1e-3 : 1e-6))
                try FileManager.default.removeItem(atPath: output)
            }
            assertSameBits(results, "\(setting): the same bits however V is read")
            try FileManager.default.removeItem(atPath: reference)
        }
    }

    func testInfoDescribesSparseGroups() throws {
        let made = try BlocknmfExecutable.run(["generate", scratch.file("s.h5"), "--rows", "500", "--cols", "40",
                                               "--rank", "3", "--density", "0.25", "--layout", "10x", "--quiet"])
        XCTAssertEqual(made.status, 0, made.standardError)
        let info = try BlocknmfExecutable.run(["info", scratch.file("s.h5"), "--memory", "64KiB"])
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertTrue(info.standardOutput.contains("/matrix  sparse CSC 40×500 float32"), info.standardOutput)
        XCTAssertTrue(info.standardOutput.contains("500×40"), info.standardOutput)
        XCTAssertTrue(info.standardOutput.contains("streamed in blocks of at most"), info.standardOutput)
        let json = try BlocknmfExecutable.run(["info", scratch.file("s.h5"), "--json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]]
        let matrix = try XCTUnwrap(entries?.first { $0["path"] as? String == "/matrix" })
        let sparse = try XCTUnwrap(matrix["sparse"] as? [String: Any])
        XCTAssertEqual(sparse["orientation"] as? String, "CSC")
        let nonZeros = try XCTUnwrap(sparse["nonZeros"] as? Int)
        XCTAssertEqual(Double(nonZeros) / 20000, 0.25, accuracy: 0.02)
    }

    /// A checkpointed fit of sparse input killed in mid-pass resumes to the uninterrupted result,
    /// with tiles of 256 rows (40 % of 50 columns) and of 4096 (1 % of 300; W in a scratch file).
    func testKilledSparseFitResumes() throws {
        // Streamed: NNDSVD's SVD of the first (333.6 KiB) fits in half of its budget, V (336 KB) not in
        // half of what the SVD leaves.
        for (rows, columns, density, initialization, budget) in [("2000", "50", "0.4", "nndsvda", "768KiB"),
                                                                 ("12000", "300", "0.01", "random", "200KiB")] {
            let input = scratch.file("s-\(columns).h5")
            let made = try BlocknmfExecutable.run(["generate", input, "--rows", rows, "--cols", columns,
                                                   "--rank", "4", "--density", density, "--layout", "anndata", "--quiet"])
            XCTAssertEqual(made.status, 0, made.standardError)
            let common = ["factor", input, "--dataset", "/X", "--rank", "4", "--max-iter", "20", "--tol", "0",
                          "--memory", budget, "--init", initialization, "--quiet"]
            let reference = try BlocknmfExecutable.run(common + ["--output", scratch.file("reference-\(columns).h5")])
            XCTAssertEqual(reference.status, 0, reference.standardError)
            let checkpointed = common + ["--output", scratch.file("resumed-\(columns).h5"),
                                         "--checkpoint", scratch.file("checkpoint-\(columns)"), "--checkpoint-every", "2"]
            for kill in ["mid-pass:20", "mid-pass:13:TERM", "pass-end:3"] {
                let run = try BlocknmfExecutable.run(checkpointed, environment: ["BLOCKNMF_CRASH_AT": kill])
                XCTAssertEqual(run.status, 128 + (kill.hasSuffix("TERM") ? SIGTERM : SIGKILL), "\(kill): \(run.standardError)")
            }
            let last = try BlocknmfExecutable.run(checkpointed)
            XCTAssertEqual(last.status, 0, last.standardError)
            let (result, expected) = (try factors(scratch.file("resumed-\(columns).h5")),
                                      try factors(scratch.file("reference-\(columns).h5")))
            XCTAssertEqual(result.w, expected.w, "\(rows)×\(columns)")
            XCTAssertEqual(result.h, expected.h, "\(rows)×\(columns)")
        }
    }
}
