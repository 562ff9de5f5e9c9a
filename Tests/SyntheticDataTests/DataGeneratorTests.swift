import Foundation
import HDF5Store
import NMFKernels
import SyntheticData
import TestSupport
import XCTest

final class DataGeneratorTests: XCTestCase {
    private var scratch: ScratchDirectory!
    private var directory: String { scratch.path }

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    private func path(_ name: String) -> String { "\(directory)/\(name)" }

    private func matrix<T: NMFScalar & HDF5Scalar>(_ file: String, _ dataset: String,
                                                  as _: T.Type = T.self) throws -> Matrix<T> {
        let (rows, columns, elements) = try HDF5File.openReadOnly(file).readMatrix(dataset: dataset, as: T.self)
        return Matrix(rows: rows, columns: columns, elements: elements)
    }

    /// One tile (m ≤ 64): the test forms W*·H* exactly as the generator does, so every bit agrees.
    func testWithoutNoiseVIsExactlyTheProductOfTheStoredFactors() throws {
        let output = path("exact.h5")
        _ = try DataGenerator.run(GenerationRequest(output: output, rows: 50, columns: 30, rank: 4,
                                                    seed: 3, storedType: .float64))
        let w = try matrix(output, "/W_true", as: Double.self)
        let h = try matrix(output, "/H_true", as: Double.self)
        XCTAssertEqual((w.rows, w.columns, h.rows, h.columns) == (50, 4, 4, 30), true)
        XCTAssertEqual(try matrix(output, "/X", as: Double.self), Matrix.product(w, h))
    }

    /// Many tiles and blocks, against a naive triple loop: each element within 1e-12 relative.
    func testWithoutNoiseVEqualsANaiveProductAcrossBlocks() throws {
        for type in [StoredType.float64, .float32] {
            let output = path("naive-\(type).h5")
            _ = try DataGenerator.run(GenerationRequest(output: output, rows: 333, columns: 41, rank: 6,
                                                        storedType: type, blockRows: 128))
            let w = try matrix(output, "/W_true", as: Double.self)
            let h = try matrix(output, "/H_true", as: Double.self)
            let v = try matrix(output, "/X", as: Double.self)
            // float32 rounds W*·H* once per multiply-add in float32.
            let tolerance = type == .float64 ? 1e-12 : 1e-6
            for i in 0..<v.rows {
                for j in 0..<v.columns {
                    let expected = (0..<w.columns).reduce(0.0) { $0 + w[i, $1] * h[$1, j] }
                    XCTAssertLessThanOrEqual(abs(v[i, j] - expected), tolerance * expected, "\(type) (\(i), \(j))")
                }
            }
        }
    }

    /// The documented streams: H* then W* from RandomState(seed), noise from RandomState(seed + 1).
    func testDrawsFollowTheDocumentedOrder() throws {
        let (rows, columns, rank, noise) = (40, 9, 3, 0.25)
        let output = path("draws.h5")
        _ = try DataGenerator.run(GenerationRequest(output: output, rows: rows, columns: columns, rank: rank,
                                                    noise: noise, seed: 11, storedType: .float64))
        var factors = LegacyRandomState(seed: 11)
        let h = Matrix<Double>(rows: rank, columns: columns) { _, _ in factors.nextUniform() }
        let w = Matrix<Double>(rows: rows, columns: rank) { _, _ in factors.nextUniform() }
        var noiseStream = LegacyRandomState(seed: 12)
        var v = Matrix.product(w, h)
        for index in v.elements.indices { v.elements[index] += noise * noiseStream.nextUniform() }

        XCTAssertEqual(try matrix(output, "/H_true", as: Double.self), h)
        XCTAssertEqual(try matrix(output, "/W_true", as: Double.self), w)
        XCTAssertEqual(try matrix(output, "/X", as: Double.self), v)
    }

    /// With density below 1: the documented gaps from RandomState(seed + 2), each kept value the
    /// in-order dot product plus one noise draw, every other value 0; the same matrix in every
    /// layout and for every block size; the share kept near the density.
    func testSparseDrawsFollowTheDocumentedGaps() throws {
        let (rows, columns, rank, noise, density) = (700, 23, 3, 0.25, 0.15)
        var factors = LegacyRandomState(seed: 4)
        let h = Matrix<Double>(rows: rank, columns: columns) { _, _ in factors.nextUniform() }
        let w = Matrix<Double>(rows: rows, columns: rank) { _, _ in factors.nextUniform() }
        var gaps = LegacyRandomState(seed: 6), noiseStream = LegacyRandomState(seed: 5)
        var expected = Matrix<Double>(rows: rows, columns: columns)
        var position = -1
        while true {
            position += 1 + Int((log1p(-gaps.nextUniform()) / log1p(-density)).rounded(.down))
            guard position < rows * columns else { break }
            let (i, j) = position.quotientAndRemainder(dividingBy: columns)
            var value = 0.0
            for c in 0..<rank { value += w[i, c] * h[c, j] }
            expected[i, j] = value + noise * noiseStream.nextUniform()
        }
        let kept = expected.elements.filter { $0 != 0 }.count
        XCTAssertEqual(Double(kept) / Double(rows * columns), density, accuracy: 0.01)

        for (layout, blockRows) in [(MatrixLayout.dense, 64), (.dense, nil), (.anndata, 128), (.tenx, nil)] as [(MatrixLayout, Int?)] {
            let output = path("sparse-\(layout)-\(blockRows ?? 0).h5")
            var request = GenerationRequest(output: output, rows: rows, columns: columns, rank: rank, noise: noise,
                                            seed: 4, storedType: .float64, blockRows: blockRows)
            request.density = density
            request.layout = layout
            _ = try DataGenerator.run(request)
            let file = try HDF5File.openReadOnly(output)
            let group = layout == .tenx ? "/matrix" : "/X"
            let stored = layout == .dense ? try matrix(output, "/X", as: Double.self)
                : try sparseMatrix(file, group)
            XCTAssertTrue(stored == expected, "\(layout) blocks of \(blockRows ?? 0)")
            XCTAssertEqual(try matrix(output, layout == .anndata ? "/uns/W_true" : "/W_true", as: Double.self), w)
        }
    }

    /// With every value kept, the sparse layouts store the dense matrix's every value.
    func testSparseLayoutsOfAFullMatrixHoldEveryValue() throws {
        var files: [(String, String)] = []
        for layout in [MatrixLayout.dense, .anndata, .tenx] {
            let output = path("full-\(layout).h5")
            var request = GenerationRequest(output: output, rows: 150, columns: 7, rank: 2, noise: 0.1, seed: 2,
                                            storedType: .float64, blockRows: 64)
            request.layout = layout
            _ = try DataGenerator.run(request)
            files.append((output, layout == .tenx ? "/matrix" : "/X"))
        }
        let dense = try matrix(files[0].0, "/X", as: Double.self)
        XCTAssertFalse(dense.elements.contains(0))
        for (output, group) in files.dropFirst() {
            XCTAssertTrue(try sparseMatrix(HDF5File.openReadOnly(output), group) == dense, output)
        }
    }

    /// A sparse group read independently of the engine's reader: AnnData's CSR of V and 10x's CSC
    /// of Vᵀ hold the same arrays (a pointer per row of V, column indices of V).
    private func sparseMatrix(_ file: HDF5File, _ group: String) throws -> Matrix<Double> {
        let data = try file.readArray(dataset: "\(group)/data", as: Double.self).elements
        let indices = try file.readArray(dataset: "\(group)/indices", as: Int64.self).elements
        let pointers = try file.readArray(dataset: "\(group)/indptr", as: Int64.self).elements
        let tenx = group == "/matrix"
        let shape = tenx ? try file.readArray(dataset: "\(group)/shape", as: Int64.self).elements.map(Int.init)
            : try file.integers(attribute: "shape", of: group)
        var dense = Matrix<Double>(rows: tenx ? shape[1] : shape[0], columns: tenx ? shape[0] : shape[1])
        for outer in 0..<(pointers.count - 1) {
            for position in Int(pointers[outer])..<Int(pointers[outer + 1]) {
                dense[outer, Int(indices[position])] += data[position]
            }
        }
        return dense
    }

    func testTheFileDoesNotDependOnTheBlockSize() throws {
        for type in [StoredType.float64, .float32, .uint16] {
            var files: [String] = []
            for blockRows in [64, 192, nil] as [Int?] {
                let output = path("\(type)-\(blockRows ?? 0).h5")
                let request = GenerationRequest(
                    output: output, rows: 500, columns: 37, rank: 5, noise: 0.3, seed: 7, chunkRows: 100,
                    compression: .gzip(level: 1), storedType: type, scale: 1000, blockRows: blockRows)
                let summary = try DataGenerator.run(request)
                XCTAssertEqual(summary.blockRows, blockRows ?? 500)
                files.append(output)
            }
            for dataset in ["/X", "/W_true", "/H_true"] {
                let reference = try matrix(files[0], dataset, as: Double.self)
                for other in files.dropFirst() {
                    XCTAssertEqual(try matrix(other, dataset, as: Double.self), reference, "\(type) \(dataset) \(other)")
                }
            }
        }
    }

    func testAnotherSeedGivesAnotherMatrix() throws {
        let first = path("seed0.h5"), second = path("seed1.h5")
        _ = try DataGenerator.run(GenerationRequest(output: first, rows: 20, columns: 10, rank: 2, seed: 0))
        _ = try DataGenerator.run(GenerationRequest(output: second, rows: 20, columns: 10, rank: 2, seed: 1))
        XCTAssertNotEqual(try matrix(first, "/X", as: Double.self), try matrix(second, "/X", as: Double.self))
    }

    func testIntegerTypesStoreRoundedScaledValuesSaturatingAtTheMaximum() throws {
        let output = path("uint8.h5")
        let scale = 200.0
        let summary = try DataGenerator.run(GenerationRequest(output: output, rows: 60, columns: 25, rank: 5,
                                                              seed: 2, storedType: .uint8, scale: scale))
        let w = try matrix(output, "/W_true", as: Double.self)
        let h = try matrix(output, "/H_true", as: Double.self)
        let expected = Matrix.product(w, h).elements.map { min(($0 * scale).rounded(), 255) }
        let stored = try matrix(output, "/X", as: Double.self)
        XCTAssertEqual(stored.elements, expected)
        let saturated = Matrix.product(w, h).elements.filter { ($0 * scale).rounded() > 255 }.count
        XCTAssertGreaterThan(saturated, 0, "the case must reach the uint8 maximum")
        XCTAssertEqual(summary.saturatedValues, saturated)
        XCTAssertEqual(try HDF5File.openReadOnly(output).datasets().first { $0.path == "/X" }?.elementType.name,
                       "uint8")
        XCTAssertEqual(try HDF5File.openReadOnly(output).attribute("scale"), .double(scale))
    }

    func testRootAttributesDescribeTheRequest() throws {
        let output = path("attributes.h5")
        _ = try DataGenerator.run(GenerationRequest(output: output, rows: 12, columns: 8, rank: 3, noise: 0.5,
                                                    seed: 9, storedType: .int32))
        let file = try HDF5File.openReadOnly(output)
        XCTAssertEqual(try file.attribute("rows"), .integer(12))
        XCTAssertEqual(try file.attribute("cols"), .integer(8))
        XCTAssertEqual(try file.attribute("rank"), .integer(3))
        XCTAssertEqual(try file.attribute("noise"), .double(0.5))
        XCTAssertEqual(try file.attribute("seed"), .integer(9))
        XCTAssertEqual(try file.attribute("type"), .string("int32"))
        XCTAssertEqual(try file.attribute("generator"), .string("blocknmf generate"))
    }

    func testProgressReachesEveryRowInBlockSteps() throws {
        var reported: [Int] = []
        _ = try DataGenerator.run(GenerationRequest(output: path("progress.h5"), rows: 300, columns: 5, rank: 2,
                                                    blockRows: 128)) { reported.append($0.rowsWritten) }
        XCTAssertEqual(reported, [128, 256, 300])
    }

    func testBlocksAreWholeTilesWithinTheMemoryBudgetAndAlignedToChunks() {
        func blockRows(rows: Int = 1_000_000, columns: Int, type: StoredType = .float64, chunkRows: Int? = nil,
                       blockRows: Int? = nil, memory: Int = DataGenerator.defaultBlockMemoryBytes) -> Int {
            DataGenerator.blockRows(for: GenerationRequest(
                output: "unused.h5", rows: rows, columns: columns, rank: 10, chunkRows: chunkRows,
                storedType: type, blockRows: blockRows, blockMemoryBytes: memory))
        }
        // 64 MiB / (1000 · 8 + 10 · 8 bytes a row) = 8305 rows; chunks of 128 rows (1 MiB) ⇒ 8192.
        XCTAssertEqual(DataGenerator.chunkRows(for: GenerationRequest(output: "unused.h5", rows: 1_000_000,
                                                                      columns: 1000, rank: 10, storedType: .float64)),
                       128)
        XCTAssertEqual(blockRows(columns: 1000), 8192)
        // uint16 holds the float64 values and their integer form: 64 MiB / 10 080 bytes = 6657 ⇒ 6656.
        XCTAssertEqual(blockRows(columns: 1000, type: .uint16, chunkRows: 64), 6656)
        // Chunks of 100 rows and tiles of 64 align every 1600 rows.
        XCTAssertEqual(blockRows(columns: 1000, chunkRows: 100), 8000)
        XCTAssertEqual(blockRows(columns: 1000, blockRows: 100), 64, "rounded down to whole tiles")
        XCTAssertEqual(blockRows(columns: 1000, blockRows: 10), 64, "at least one tile")
        XCTAssertEqual(blockRows(columns: 1_000_000, memory: 1 << 20), 64, "at least one tile")
        XCTAssertEqual(blockRows(rows: 30, columns: 1000), 30, "never more than the rows")
    }

    func testInvalidRequestsAreRefusedBeforeAnyFileIsMade() throws {
        func refusal(_ request: GenerationRequest) -> String? {
            do {
                _ = try DataGenerator.run(request)
                return nil
            } catch {
                return "\(error)"
            }
        }
        let output = path("refused.h5")
        let base = GenerationRequest(output: output, rows: 10, columns: 10, rank: 2)
        var request = base
        request.rank = 0
        XCTAssertEqual(refusal(request), "invalid --rank 0: must be at least 1")
        request = base
        request.rows = 0
        XCTAssertEqual(refusal(request), "invalid --rows 0: must be at least 1")
        request = base
        request.columns = -1
        XCTAssertEqual(refusal(request), "invalid --cols -1: must be at least 1")
        request = base
        request.noise = -0.5
        XCTAssertEqual(refusal(request), "invalid --noise -0.5: must be a finite number ≥ 0")
        request = base
        request.compression = .gzip(level: 10)
        XCTAssertEqual(refusal(request), "invalid --compression gzip:10: the gzip level must be in 0...9")
        request = base
        request.chunkRows = 0
        XCTAssertEqual(refusal(request), "invalid --chunk-rows 0: must be at least 1")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
    }

    func testCompressionSpellings() throws {
        XCTAssertEqual(try Compression(parsing: "none"), Compression.none)
        XCTAssertEqual(try Compression(parsing: "gzip:0"), .gzip(level: 0))
        XCTAssertEqual(try Compression(parsing: "gzip:9"), .gzip(level: 9))
        for bad in ["gzip", "gzip:", "gzip:x", "lzf:1", "gzip:-1", "gzip:10", ""] {
            XCTAssertThrowsError(try Compression(parsing: bad), bad)
        }
    }
}
