import HDF5Store
import TestSupport
import XCTest

final class RoundTripTests: XCTestCase {
    func testFloatMatrixRoundTrips() throws {
        try assertMatrixRoundTrips(Float.self)
    }

    func testDoubleMatrixRoundTrips() throws {
        try assertMatrixRoundTrips(Double.self)
    }

    private func assertMatrixRoundTrips<T: HDF5Scalar>(_: T.Type) throws {
        let directory = try ScratchDirectory()
        let path = directory.file("matrix.h5")
        // Values that are exact in both precisions, including ones below 1.
        let elements: [T] = (0..<12).map { T($0) * T(0.25) + T(0.5) }
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "/V", shape: [3, 4], elements: elements)
        try writer.close()

        let reader = try HDF5File.openReadOnly(path)
        let matrix = try reader.readMatrix(dataset: "/V", as: T.self)
        XCTAssertEqual(matrix.rows, 3)
        XCTAssertEqual(matrix.columns, 4)
        XCTAssertEqual(matrix.elements, elements)

        let info = try XCTUnwrap(reader.datasets().first)
        XCTAssertEqual(info.elementType, T.elementType)
        XCTAssertEqual(info.elementType.name, T.self == Float.self ? "float32" : "float64")
    }

    func testIntegerDatasetsConvertExactly() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("integers.h5")
        let int16: [Int16] = [-32768, -1, 0, 1, 2, 32767]
        let uint8: [UInt8] = [0, 1, 127, 128, 254, 255]
        let int64: [Int64] = [-(1 << 24), -3, 0, 5, 1 << 24, 1 << 40]
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "int16", shape: [2, 3], elements: int16)
        try writer.write(dataset: "uint8", shape: [3, 2], elements: uint8)
        try writer.write(dataset: "int64", shape: [2, 3], elements: int64)
        try writer.close()

        let reader = try HDF5File.openReadOnly(path)
        XCTAssertEqual(try reader.readMatrix(dataset: "int16", as: Float.self).elements, int16.map(Float.init))
        XCTAssertEqual(try reader.readMatrix(dataset: "int16", as: Double.self).elements, int16.map(Double.init))
        XCTAssertEqual(try reader.readMatrix(dataset: "uint8", as: Float.self).elements, uint8.map(Float.init))
        XCTAssertEqual(try reader.readMatrix(dataset: "int64", as: Double.self).elements, int64.map(Double.init))
        // Every value above is exactly representable in Float too (|x| ≤ 2^24 or a power of two).
        XCTAssertEqual(try reader.readMatrix(dataset: "int64", as: Float.self).elements, int64.map(Float.init))

        let types = Dictionary(uniqueKeysWithValues: try reader.datasets().map { ($0.path, $0.elementType.name) })
        XCTAssertEqual(types, ["/int16": "int16", "/uint8": "uint8", "/int64": "int64"])

        let source = try DenseRowBlockSource<Float>(file: reader, dataset: "uint8")
        var buffer = [Float](repeating: -1, count: 6)
        try source.readRows(0..<3, into: &buffer)
        XCTAssertEqual(buffer, uint8.map(Float.init))
    }

    func testOneDimensionalArrayRoundTrips() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("history.h5")
        let history: [Double] = [10.5, 4.25, 2.125, 2.0625]
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "/run/loss_history", shape: [4], elements: history)
        try writer.close()

        let reader = try HDF5File.openReadOnly(path)
        let array = try reader.readArray(dataset: "/run/loss_history", as: Double.self)
        XCTAssertEqual(array.shape, [4])
        XCTAssertEqual(array.elements, history)
        XCTAssertEqual(try reader.readArray(dataset: "run/loss_history", as: Float.self).elements, [10.5, 4.25, 2.125, 2.0625])
    }

    func testWriteRejectsWrongElementCountAndBadShape() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("bad.h5")
        let writer = try HDF5File.create(path)
        XCTAssertThrowsStoreError(
            .shapeMismatch(path: path, dataset: "/X", shape: [2, 3], elementCount: 5),
            try writer.write(dataset: "X", shape: [2, 3], elements: [Float](repeating: 0, count: 5)))
        XCTAssertThrowsStoreError(
            .invalidShape(path: path, dataset: "/Y", shape: []),
            try writer.write(dataset: "Y", shape: [], elements: [Float(1)]))
    }

    func testLibraryFailureCarriesHDF5ErrorStack() throws {
        let directory = try ScratchDirectory()
        let writer = try HDF5File.create(directory.file("twice.h5"))
        try writer.write(dataset: "X", shape: [1], elements: [Float(1)])
        XCTAssertThrowsError(try writer.write(dataset: "X", shape: [1], elements: [Float(2)])) { error in
            guard case let .library(operation, stack)? = error as? HDF5StoreError else {
                return XCTFail("expected a library error, got \(error)")
            }
            XCTAssertEqual(operation, "H5Dcreate2 /X")
            XCTAssertTrue(stack.hasPrefix("#0 H5Dcreate2(): unable to create dataset"), stack)
            XCTAssertTrue(stack.contains("already exists"), stack)
            XCTAssertFalse((error as CustomStringConvertible).description.contains("\n"))
        }
        try writer.close()
        // The stack was cleared: the next failure reports only its own cause.
        let reader = try HDF5File.openReadOnly(directory.file("twice.h5"))
        XCTAssertThrowsError(try reader.write(dataset: "Z", shape: [1], elements: [Float(2)])) { error in
            guard case let .library(_, stack)? = error as? HDF5StoreError else {
                return XCTFail("expected a library error, got \(error)")
            }
            XCTAssertFalse(stack.contains("already exists"), stack)
        }
    }
}
