import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Datasets whose elements are not all stored in their file, which HDF5 would read as the
/// fill value: refused before any read, with how much was written.
final class DatasetStorageTests: XCTestCase {
    func testDatasetsNeverCompletelyWrittenAreRefusedBeforeAnyRead() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("unwritten.h5")
        let file = try HDF5File.create(path)
        // Declared 2^40 × 12 and never written: a reader would spend years reading zeros.
        try RowBlockWriter<Float>(file: file, dataset: "/huge", rows: 1 << 40, columns: 12, chunkRows: 64).close()
        let half = try RowBlockWriter<Double>(file: file, dataset: "/half", rows: 100, columns: 3, chunkRows: 10)
        try half.write(rows: 0..<50, elements: [Double](repeating: 1, count: 150))
        try half.close()
        // Offsets (a sparse group's indptr) declared 2^40 long: read whole, they would need 8 TiB.
        try RowBlockWriter<Int64>(file: file, vector: "/offsets", count: 1 << 40, chunkElements: 1024).close()
        let complete = try RowBlockWriter<Double>(file: file, dataset: "/complete", rows: 95, columns: 3, chunkRows: 10)
        try complete.write(rows: 0..<95, elements: [Double](repeating: 2, count: 285))
        try complete.close()
        try file.close()

        let reopened = try HDF5File.openReadOnly(path)
        XCTAssertThrowsStoreError(
            .notWritten(path: path, dataset: "/huge", shape: [1 << 40, 12], storedChunks: 0, chunks: 1 << 34),
            try DenseRowBlockSource<Float>(file: reopened, dataset: "/huge"))
        XCTAssertThrowsStoreError(
            .notWritten(path: path, dataset: "/half", shape: [100, 3], storedChunks: 5, chunks: 10),
            try reopened.readMatrix(dataset: "/half", as: Double.self))
        XCTAssertThrowsStoreError(
            .notWritten(path: path, dataset: "/offsets", shape: [1 << 40], storedChunks: 0, chunks: 1 << 30),
            try reopened.checkReadable(dataset: "/offsets"))
        // Every chunk written, the last one partly outside the shape: read as written.
        XCTAssertEqual(try reopened.readMatrix(dataset: "/complete", as: Double.self).elements,
                       [Double](repeating: 2, count: 285))
        // The listing still describes them, with sizes that do not overflow.
        let huge = try XCTUnwrap(try reopened.datasets().first { $0.path == "/huge" })
        XCTAssertEqual(huge.shape, [1 << 40, 12])
        XCTAssertEqual(huge.dataBytes, 48 << 40)
    }
}
