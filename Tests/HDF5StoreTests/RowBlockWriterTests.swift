import HDF5Store
import TestSupport
import XCTest

final class RowBlockWriterTests: XCTestCase {
    private let rows = 50
    private let columns = 7
    /// Distinct per position and exact in every type used below.
    private var matrix: [Double] { (0..<(rows * columns)).map { Double($0 % 97) + Double($0 / 97) * 0.5 } }

    /// Blocks of uneven heights, out of order, cutting through chunks.
    private let blocks = [20..<37, 0..<12, 37..<50, 12..<20]

    private func rows<T>(_ range: Range<Int>, of elements: [T]) -> [T] {
        Array(elements[(range.lowerBound * columns)..<(range.upperBound * columns)])
    }

    private func readBack<T: HDF5Scalar>(_ path: String, _ dataset: String, as _: T.Type) throws -> [T] {
        let file = try HDF5File.openReadOnly(path)
        let source = try DenseRowBlockSource<T>(file: file, dataset: dataset)
        var elements = [T](repeating: 0, count: source.rows * source.columns)
        try source.readRows(0..<source.rows, into: &elements)
        return elements
    }

    func testBlocksWrittenSeparatelyEqualTheWholeWrittenAtOnce() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("blocks.h5")
        let file = try HDF5File.create(path)
        try file.write(dataset: "/whole", shape: [rows, columns], elements: matrix)
        let writer = try RowBlockWriter<Double>(file: file, dataset: "/group/blocks", rows: rows, columns: columns,
                                                chunkRows: 8)
        for block in blocks { try writer.write(rows: block, elements: rows(block, of: matrix)) }
        XCTAssertEqual(writer.datasetPath, "/group/blocks")
        XCTAssertEqual(writer.chunkRows, 8)
        try writer.close()
        try file.close()

        let whole = try readBack(path, "/whole", as: Double.self)
        XCTAssertEqual(whole, matrix)
        XCTAssertEqual(try readBack(path, "/group/blocks", as: Double.self), whole)
    }

    func testChunkedGzipWithShuffle() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("gzip.h5")
        let file = try HDF5File.create(path)
        let values = matrix.map(Float.init)
        let writer = try RowBlockWriter<Float>(file: file, dataset: "/V", rows: rows, columns: columns,
                                               chunkRows: 16, deflateLevel: 6, shuffle: true)
        for block in blocks { try writer.write(rows: block, elements: rows(block, of: values)) }
        try writer.close()
        try file.close()

        let info = try XCTUnwrap(HDF5File.openReadOnly(path).datasets().first)
        XCTAssertEqual(info.chunkShape, [16, columns])
        XCTAssertEqual(info.filters, ["shuffle", "deflate(6)"])
        XCTAssertEqual(info.elementType, Float.elementType)
        XCTAssertLessThan(info.storageBytes, rows * columns * 4, "repetitive data must compress")
        XCTAssertEqual(try readBack(path, "/V", as: Float.self), values)
    }

    func testIntegerTypesAreStoredAsTheirOwnType() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("integers.h5")
        let file = try HDF5File.create(path)
        let uint16 = matrix.map { UInt16($0 * 2) + 60_000 }
        let int8 = matrix.map { Int8(Int($0 * 2) % 256 - 128) }
        let uint64 = matrix.map { UInt64($0 * 2) << 40 }
        let writers = (
            try RowBlockWriter<UInt16>(file: file, dataset: "/uint16", rows: rows, columns: columns),
            try RowBlockWriter<Int8>(file: file, dataset: "/int8", rows: rows, columns: columns, chunkRows: 5),
            try RowBlockWriter<UInt64>(file: file, dataset: "/uint64", rows: rows, columns: columns,
                                       deflateLevel: 1, shuffle: true))
        for block in blocks {
            try writers.0.write(rows: block, elements: rows(block, of: uint16))
            try writers.1.write(rows: block, elements: rows(block, of: int8))
            try writers.2.write(rows: block, elements: rows(block, of: uint64))
        }
        try writers.0.close()
        try writers.1.close()
        try writers.2.close()
        try file.close()

        let types = try HDF5File.openReadOnly(path).datasets().map { ($0.path, $0.elementType.name) }
        XCTAssertEqual(types.map(\.0), ["/int8", "/uint16", "/uint64"])
        XCTAssertEqual(types.map(\.1), ["int8", "uint16", "uint64"])
        XCTAssertEqual(try readBack(path, "/uint16", as: Double.self), uint16.map(Double.init))
        XCTAssertEqual(try readBack(path, "/int8", as: Double.self), int8.map(Double.init))
        XCTAssertEqual(try readBack(path, "/uint64", as: Double.self), uint64.map { Double($0) })
    }

    func testDefaultChunksHoldAboutOneMebibyte() throws {
        XCTAssertEqual(RowBlockWriter<Double>.defaultChunkRows(columns: 1000), 131)
        XCTAssertEqual(RowBlockWriter<UInt8>.defaultChunkRows(columns: 1024), 1024)
        XCTAssertEqual(RowBlockWriter<Double>.defaultChunkRows(columns: 1 << 20), 1, "at least one row")

        let directory = try ScratchDirectory()
        let file = try HDF5File.create(directory.file("default.h5"))
        let tall = try RowBlockWriter<Float>(file: file, dataset: "/tall", rows: 100_000, columns: 1000)
        XCTAssertEqual(tall.chunkRows, 262)
        let short = try RowBlockWriter<Float>(file: file, dataset: "/short", rows: 10, columns: 1000)
        XCTAssertEqual(short.chunkRows, 10, "a chunk may not exceed the dataset")
    }

    func testBadBlocksAndWritesAfterCloseAreRefused() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("errors.h5")
        let file = try HDF5File.create(path)
        let writer = try RowBlockWriter<Double>(file: file, dataset: "V", rows: rows, columns: columns)
        XCTAssertThrowsStoreError(
            .rowRangeOutOfBounds(path: path, dataset: "/V", range: 45..<51, rows: rows),
            try writer.write(rows: 45..<51, elements: [Double](repeating: 1, count: 6 * columns)))
        XCTAssertThrowsStoreError(
            .shapeMismatch(path: path, dataset: "/V", shape: [2, columns], elementCount: 13),
            try writer.write(rows: 0..<2, elements: [Double](repeating: 1, count: 13)))
        try writer.close()
        XCTAssertThrowsStoreError(
            .fileClosed(path: path),
            try writer.write(rows: 0..<1, elements: [Double](repeating: 1, count: columns)))
    }
}
