import HDF5Store
import TestSupport
import XCTest

final class DatasetListingTests: XCTestCase {
    func testListsNestedDatasetsWithLayout() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("nested.h5")
        let writer = try HDF5File.create(path)
        try writer.write(dataset: "/top", shape: [4, 3], elements: [Double](repeating: 1.5, count: 12))
        try writer.write(
            dataset: "/a/b/counts", shape: [100, 10], elements: [UInt16](repeating: 7, count: 1000),
            chunkRows: 25, deflateLevel: 6, shuffle: true)
        try writer.write(dataset: "/a/labels", shape: [3], strings: ["x", "y", "z"])
        try writer.createGroup("/empty/inner")
        try writer.close()

        let infos = try HDF5File.openReadOnly(path).datasets()
        XCTAssertEqual(infos.map(\.path), ["/a/b/counts", "/a/labels", "/top"])

        let counts = infos[0]
        XCTAssertEqual(counts.shape, [100, 10])
        XCTAssertEqual(counts.elementType, ElementType(kind: .unsignedInteger, bits: 16))
        XCTAssertEqual(counts.elementType.name, "uint16")
        XCTAssertEqual(counts.chunkShape, [25, 10])
        XCTAssertEqual(counts.filters, ["shuffle", "deflate(6)"])
        XCTAssertGreaterThan(counts.storageBytes, 0)
        XCTAssertLessThan(counts.storageBytes, 2000, "constant data must compress")

        let labels = infos[1]
        XCTAssertEqual(labels.shape, [3])
        XCTAssertEqual(labels.elementType.name, "string")
        XCTAssertFalse(labels.elementType.isNumeric)

        let top = infos[2]
        XCTAssertEqual(top.elementType.name, "float64")
        XCTAssertNil(top.chunkShape)
        XCTAssertEqual(top.filters, [])
        XCTAssertEqual(top.storageBytes, 4 * 3 * 8)
    }
}
