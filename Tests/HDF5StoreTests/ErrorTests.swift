import Foundation
import HDF5Store
import XCTest

final class ErrorTests: XCTestCase {
    func testMissingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("absent.h5")
        XCTAssertThrowsStoreError(.fileNotFound(path: path), try HDF5File.openReadOnly(path))
    }

    func testTextFileIsNotHDF5() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("notes.h5")
        try "rows,columns\n1,2\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsStoreError(.notHDF5(path: path), try HDF5File.openReadOnly(path))
        XCTAssertEqual(HDF5StoreError.notHDF5(path: path).description, "\(path) is not an HDF5 file")
    }

    func testMissingDatasetListsMatrices() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("data.h5")
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "/A", shape: [2, 1], elements: [Float(1), 2])
        try writer.write(dataset: "/grp/B", shape: [1, 1], elements: [UInt8(3)])
        try writer.write(dataset: "/history", shape: [2], elements: [1.0, 2.0])
        try writer.close()

        let file = try HDF5File.openReadOnly(path)
        let expected = HDF5StoreError.datasetNotFound(path: path, dataset: "/X", available: ["/A", "/grp/B"])
        XCTAssertThrowsStoreError(expected, try DenseRowBlockSource<Float>(file: file, dataset: "X"))
        XCTAssertThrowsStoreError(expected, try file.readMatrix(dataset: "/X", as: Double.self))
        XCTAssertEqual(
            expected.description, "dataset '/X' not found in \(path); matrices present: /A, /grp/B")
        // A group is not a dataset either.
        XCTAssertThrowsStoreError(
            .datasetNotFound(path: path, dataset: "/grp", available: ["/A", "/grp/B"]),
            try DenseRowBlockSource<Float>(file: file, dataset: "/grp"))
    }

    func testRankAndTypeAreChecked() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("shapes.h5")
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "/vector", shape: [3], elements: [Float(1), 2, 3])
        try writer.write(dataset: "/cube", shape: [1, 2, 2], elements: [Float](repeating: 0, count: 4))
        try writer.write(dataset: "/words", shape: [2, 2], strings: ["a", "b", "c", "d"])
        try writer.close()

        let file = try HDF5File.openReadOnly(path)
        XCTAssertThrowsStoreError(
            .notTwoDimensional(path: path, dataset: "/vector", rank: 1),
            try DenseRowBlockSource<Float>(file: file, dataset: "/vector"))
        XCTAssertThrowsStoreError(
            .notTwoDimensional(path: path, dataset: "/cube", rank: 3),
            try file.readMatrix(dataset: "/cube", as: Float.self))
        XCTAssertThrowsStoreError(
            .nonNumericType(path: path, dataset: "/words", typeDescription: "string"),
            try DenseRowBlockSource<Float>(file: file, dataset: "/words"))
        XCTAssertThrowsStoreError(
            .nonNumericType(path: path, dataset: "/words", typeDescription: "string"),
            try file.readArray(dataset: "/words", as: Double.self))
        XCTAssertEqual(
            HDF5StoreError.notTwoDimensional(path: path, dataset: "/vector", rank: 1).description,
            "dataset '/vector' in \(path) has rank 1; a 2-D matrix is needed")
    }

    func testCreateInMissingDirectory() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("no/such/dir/out.h5")
        XCTAssertThrowsStoreError(
            .cannotCreate(path: missing, reason: "directory \(directory.file("no/such/dir")) does not exist"),
            try HDF5File.create(missing))
    }

    func testCreateUnderARegularFile() throws {
        let directory = try TemporaryDirectory()
        let blocker = directory.file("plain.txt")
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        XCTAssertThrowsStoreError(
            .cannotCreate(path: blocker + "/out.h5", reason: "\(blocker) is not a directory"),
            try HDF5File.create(blocker + "/out.h5"))
    }

    func testClosedFileIsReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("closed.h5")
        let file = try HDF5File.create(path)
        try file.close()
        XCTAssertThrowsStoreError(.fileClosed(path: path), try file.datasets())
        try file.close()  // closing twice is harmless
    }
}
