import Foundation
import HDF5Store
import XCTest

/// Rows used in place from the mapped file are exactly the rows HDF5 reads, for every
/// layout that allows it; other layouts are not mapped.
final class MappedRowsTests: XCTestCase {
    private let rows = 700, columns = 9

    private func values<T: HDF5Scalar>(as _: T.Type) -> [T] {
        (0..<(rows * columns)).map { T(($0 * 37) % 101) / 7 }
    }

    private func source<T: HDF5Scalar>(_ directory: TemporaryDirectory, chunkRows: Int?, deflate: Int? = nil,
                                       stored _: T.Type) throws -> HDF5File {
        let path = directory.file("v-\(chunkRows ?? 0)-\(deflate ?? -1)-\(T.self).h5")
        let file = try HDF5File.create(path)
        try file.write(dataset: "/X", shape: [rows, columns], elements: values(as: T.self), chunkRows: chunkRows,
                       deflateLevel: deflate)
        // A second dataset written between the first's chunks would not move them; an index
        // between chunks is what the gathering path is for, and small chunks make HDF5 grow it.
        try file.close()
        return try HDF5File.openReadOnly(path)
    }

    private func assertMappedRowsMatchReads(_ file: HDF5File, line: UInt = #line) throws {
        let source = try DenseRowBlockSource<Float>(file: file, dataset: "/X")
        let mapped = try XCTUnwrap(try source.mappedRows(), "mapped", line: line)
        for range in [0..<rows, 0..<256, 256..<512, 512..<rows, 3..<5, 699..<700] {
            var expected = [Float](repeating: 0, count: range.count * columns)
            try source.readRows(range, into: &expected)
            mapped.load(rows: range)
            let inPlace = mapped.withElements((range.lowerBound * columns)..<(range.upperBound * columns)) { Array($0) }
            XCTAssertEqual(inPlace, expected, "rows \(range)", line: line)
            mapped.release(rows: range)
        }
    }

    func testContiguousAndChunkedDatasetsAreUsedInPlace() throws {
        let directory = try TemporaryDirectory()
        try assertMappedRowsMatchReads(try source(directory, chunkRows: nil, stored: Float.self))
        for chunkRows in [1, 7, 128, 1000] {
            try assertMappedRowsMatchReads(try source(directory, chunkRows: chunkRows, stored: Float.self))
        }
    }

    func testCompressedOrConvertedDataIsNotMapped() throws {
        let directory = try TemporaryDirectory()
        let compressed = try DenseRowBlockSource<Float>(
            file: try source(directory, chunkRows: 64, deflate: 4, stored: Float.self), dataset: "/X")
        XCTAssertNil(try compressed.mappedRows())
        let converted = try DenseRowBlockSource<Double>(
            file: try source(directory, chunkRows: nil, stored: Float.self), dataset: "/X")
        XCTAssertNil(try converted.mappedRows(), "float32 data worked on in float64 is converted on read")
        let double = try DenseRowBlockSource<Double>(
            file: try source(directory, chunkRows: 100, stored: Double.self), dataset: "/X")
        XCTAssertNotNil(try double.mappedRows())
    }
}
