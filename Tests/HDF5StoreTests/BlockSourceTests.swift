import HDF5Store
import TestSupport
import XCTest

final class BlockSourceTests: XCTestCase {
    /// 50 × 7 values, distinct per position, exact in Float.
    private let rows = 50
    private let columns = 7
    private var matrix: [Float] { (0..<(rows * columns)).map { Float($0 % 97) + Float($0 / 97) * 0.5 } }

    private func makeChunkedFile(in directory: ScratchDirectory) throws -> String {
        let path = directory.file("chunked.h5")
        let writer = try HDF5File.create(path)
        try writer.write(
            dataset: "/data/V", shape: [rows, columns], elements: matrix,
            chunkRows: 8, deflateLevel: 4, shuffle: true)
        try writer.write(dataset: "/plain", shape: [rows, columns], elements: matrix)
        try writer.close()
        return path
    }

    func testCompressedDatasetReadInBlocksEqualsWhole() throws {
        let directory = try ScratchDirectory()
        let file = try HDF5File.openReadOnly(try makeChunkedFile(in: directory))
        let whole = try file.readMatrix(dataset: "/data/V", as: Float.self).elements
        XCTAssertEqual(whole, matrix)

        // 12 is not a multiple of the 8-row chunks, so blocks cut through chunks.
        for blockRows in [8, 12, 50] {
            let source = try DenseRowBlockSource<Float>(file: file, dataset: "/data/V", blockRows: blockRows)
            var assembled: [Float] = []
            var buffer = [Float](repeating: .nan, count: blockRows * columns)
            for start in stride(from: 0, to: rows, by: blockRows) {
                let range = start..<min(start + blockRows, rows)
                try source.readRows(range, into: &buffer)
                assembled += buffer.prefix(range.count * columns)
            }
            XCTAssertEqual(assembled, matrix, "block rows \(blockRows)")
        }
    }

    func testReadRowsOnArbitraryRangeAsDouble() throws {
        let directory = try ScratchDirectory()
        let file = try HDF5File.openReadOnly(try makeChunkedFile(in: directory))
        for dataset in ["/data/V", "/plain"] {
            let source = try DenseRowBlockSource<Double>(file: file, dataset: dataset)
            XCTAssertEqual(source.rows, rows)
            XCTAssertEqual(source.columns, columns)
            var buffer = [Double](repeating: -1, count: 5 * columns + 2)
            try source.readRows(13..<18, into: &buffer)
            let expected = matrix[(13 * columns)..<(18 * columns)].map(Double.init)
            XCTAssertEqual(Array(buffer.prefix(5 * columns)), expected, dataset)
            XCTAssertEqual(Array(buffer.suffix(2)), [-1, -1], "elements past the block stay untouched")
        }
    }

    func testReadRowsRejectsBadRangeAndSmallBuffer() throws {
        let directory = try ScratchDirectory()
        let path = try makeChunkedFile(in: directory)
        let source = try DenseRowBlockSource<Float>(file: try HDF5File.openReadOnly(path), dataset: "plain")
        var buffer = [Float](repeating: 0, count: 3 * columns)
        XCTAssertThrowsStoreError(
            .rowRangeOutOfBounds(path: path, dataset: "/plain", range: 48..<51, rows: rows),
            try source.readRows(48..<51, into: &buffer))
        XCTAssertThrowsStoreError(
            .bufferTooSmall(path: path, dataset: "/plain", needed: 4 * columns, available: 3 * columns),
            try source.readRows(0..<4, into: &buffer))
        try source.readRows(10..<10, into: &buffer)
        XCTAssertEqual(buffer, [Float](repeating: 0, count: 3 * columns))
    }

    func testChunkMetadataAndCacheSizedToBlock() throws {
        let directory = try ScratchDirectory()
        let file = try HDF5File.openReadOnly(try makeChunkedFile(in: directory))
        let source = try DenseRowBlockSource<Float>(file: file, dataset: "/data/V", blockRows: 16)
        XCTAssertEqual(source.datasetPath, "/data/V")
        XCTAssertEqual(source.chunkShape, [8, 7])
        XCTAssertEqual(source.chunkRows, 8)
        XCTAssertEqual(source.storedType.name, "float32")
        // A 16-row block starting anywhere touches at most 3 rows of one chunk each;
        // each chunk holds 8 × 7 float32 values = 224 bytes.
        XCTAssertEqual(try source.chunkCache(), ChunkCache(slots: 307, bytes: 3 * 224, preemption: 1))

        try source.setChunkCache(blockRows: 48)
        // 48 rows touch up to 7 rows of chunks, and the dataset has exactly 7.
        XCTAssertEqual(try source.chunkCache(), ChunkCache(slots: 701, bytes: 7 * 224, preemption: 1))

        let plain = try DenseRowBlockSource<Float>(file: file, dataset: "/plain")
        XCTAssertNil(plain.chunkRows)
    }

    func testUnfilteredChunksBypassTheCacheAndReadTheSame() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("unfiltered.h5")
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "/V", shape: [rows, columns], elements: matrix, chunkRows: 8)
        try writer.close()
        let source = try DenseRowBlockSource<Float>(file: try HDF5File.openReadOnly(path), dataset: "/V",
                                                     blockRows: 16)
        XCTAssertEqual(source.filters, [])
        XCTAssertEqual(try source.chunkCache().bytes, 0)
        var buffer = [Float](repeating: 0, count: 13 * columns)
        try source.readRows(5..<18, into: &buffer)
        XCTAssertEqual(buffer, Array(matrix[(5 * columns)..<(18 * columns)]))
    }

    func testDatasetChosenAutomaticallyOnlyWhenUnique() throws {
        let directory = try ScratchDirectory()
        let single = directory.file("single.h5")
        let writer = try HDF5File.create(single)
        try writer.write(dataset: "/counts/X", shape: [2, 2], elements: [Float(1), 2, 3, 4])
        try writer.write(dataset: "/loss", shape: [3], elements: [1.0, 2.0, 3.0])
        try writer.write(dataset: "/names", shape: [2, 1], strings: ["a", "b"])
        try writer.close()
        let source = try DenseRowBlockSource<Float>(file: try HDF5File.openReadOnly(single))
        XCTAssertEqual(source.datasetPath, "/counts/X")

        let double = directory.file("double.h5")
        let second = try HDF5File.create(double)
        try second.write(dataset: "/A", shape: [1, 1], elements: [Float(1)])
        try second.write(dataset: "/grp/B", shape: [1, 2], elements: [Int32(1), 2])
        try second.close()
        let error = HDF5StoreError.ambiguousDataset(path: double, available: ["/A", "/grp/B"])
        XCTAssertThrowsStoreError(error, try DenseRowBlockSource<Float>(file: try HDF5File.openReadOnly(double)))
        XCTAssertEqual(
            error.description,
            "no --dataset named and \(double) does not hold exactly one matrix (it holds 2); "
                + "matrices present: /A, /grp/B")
    }
}
