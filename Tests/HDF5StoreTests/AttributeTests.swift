import HDF5Store
import TestSupport
import XCTest

final class AttributeTests: XCTestCase {
    func testAttributesRoundTripOnRootGroupsAndDatasets() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("fixtures.h5")
        let writer = try HDF5File.create(path)
        try writer.setAttribute("solver", .string("cd"))
        try writer.setAttribute("note", .string("β-divergence, ünïcode"))
        try writer.createGroup("/case_b")
        try writer.createGroup("/case_a")
        try writer.write(dataset: "/case_a/X", shape: [1, 2], elements: [Float(1), 2])
        try writer.setAttribute("alpha_W", .double(0.125), on: "/case_a")
        try writer.setAttribute("max_iter", .integer(-200), on: "case_a")
        try writer.setAttribute("shuffle", .integer(1), on: "/case_a/X")
        try writer.setAttribute("max_iter", .integer(300), on: "case_a")  // replaces
        try writer.close()

        let file = try HDF5File.openReadOnly(path)
        XCTAssertEqual(try file.attribute("solver"), .string("cd"))
        XCTAssertEqual(try file.attribute("note", of: "/"), .string("β-divergence, ünïcode"))
        XCTAssertEqual(try file.attribute("alpha_W", of: "/case_a"), .double(0.125))
        XCTAssertEqual(try file.attribute("max_iter", of: "/case_a"), .integer(300))
        XCTAssertEqual(try file.attribute("shuffle", of: "/case_a/X"), .integer(1))
        XCTAssertEqual(try file.attributeNames(), ["note", "solver"])
        XCTAssertEqual(try file.attributeNames(of: "/case_a"), ["alpha_W", "max_iter"])

        XCTAssertEqual(try file.memberNames(), ["case_a", "case_b"])
        XCTAssertEqual(try file.memberNames(of: "/case_a"), ["X"])
        XCTAssertEqual(try file.memberNames(of: "/case_a", kind: .group), [])
        XCTAssertEqual(try file.memberNames(of: "/case_a", kind: .dataset), ["X"])

        XCTAssertThrowsStoreError(
            .attributeNotFound(path: path, object: "/case_b", name: "alpha_W"),
            try file.attribute("alpha_W", of: "/case_b"))
        XCTAssertThrowsStoreError(
            .objectNotFound(path: path, object: "/case_c"), try file.attribute("alpha_W", of: "/case_c"))
        XCTAssertThrowsStoreError(.objectNotFound(path: path, object: "/case_c"), try file.memberNames(of: "case_c"))
        XCTAssertThrowsStoreError(
            .objectNotFound(path: path, object: "/case_a/X"), try file.memberNames(of: "/case_a/X"))
    }
}
