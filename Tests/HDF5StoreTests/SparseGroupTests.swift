import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Sparse groups as AnnData, 10x Genomics and h5sparse write them: rows read back as the
/// matrix they encode (a CSC group as its transpose), and malformed groups named precisely.
final class SparseGroupTests: XCTestCase {
    /// The 3×4 matrix
    ///
    ///     [0 1 0 2]
    ///     [0 0 0 0]
    ///     [3 0 4 0]
    private let csr = (data: [Float(1), 2, 3, 4], indices: [Int32(1), 3, 0, 2], indptr: [Int64(0), 2, 2, 4])

    private func write(_ path: String, _ body: (HDF5File) throws -> Void) throws {
        let file = try HDF5File.create(path)
        try body(file)
        try file.close()
    }

    private func writeGroup(_ file: HDF5File, _ group: String, data: [Float], indices: [Int32], indptr: [Int64]) throws {
        try file.write(dataset: "\(group)/data", shape: [data.count], elements: data)
        try file.write(dataset: "\(group)/indices", shape: [indices.count], elements: indices)
        try file.write(dataset: "\(group)/indptr", shape: [indptr.count], elements: indptr)
    }

    private func dense<T: HDF5Scalar>(_ source: SparseRowSource<T>, _ range: Range<Int>) throws -> [[T]] {
        let (offsets, columns, values) = try source.readRows(range)
        return (0..<range.count).map { row in
            var dense = [T](repeating: 0, count: source.columns)
            for position in offsets[row]..<offsets[row + 1] { dense[Int(columns[position])] += values[position] }
            return dense
        }
    }

    func testAnnDataCSRAndTenXCSCReadAsTheSameRows() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("sparse.h5")
        try write(path) { file in
            try writeGroup(file, "/X", data: csr.data, indices: csr.indices, indptr: csr.indptr)
            try file.setAttribute("encoding-type", .string("csr_matrix"), on: "/X")
            try file.setAttribute("shape", integers: [3, 4], on: "/X")
            // 10x: features × barcodes (4 × 3) compressed by barcodes — the same arrays.
            try writeGroup(file, "/matrix", data: csr.data, indices: csr.indices, indptr: csr.indptr)
            try file.write(dataset: "/matrix/shape", shape: [2], elements: [Int32(4), 3])
            try writeGroup(file, "/h5sparse", data: csr.data, indices: csr.indices, indptr: csr.indptr)
            try file.setAttribute("h5sparse_format", .string("csr"), on: "/h5sparse")
            try file.setAttribute("h5sparse_shape", integers: [3, 4], on: "/h5sparse")
        }
        let file = try HDF5File.openReadOnly(path)
        XCTAssertEqual(try file.sparseGroupPaths(), ["/X", "/h5sparse", "/matrix"])
        let expected: [[Double]] = [[0, 1, 0, 2], [0, 0, 0, 0], [3, 0, 4, 0]]
        for group in ["/X", "/matrix", "/h5sparse"] {
            let source = try SparseRowSource<Double>(file: file, group: group)
            XCTAssertEqual([source.rows, source.columns, source.nonZeros], [3, 4, 4], group)
            XCTAssertEqual(try dense(source, 0..<3), expected, group)
            XCTAssertEqual(try dense(source, 1..<3), Array(expected[1...]), group)
            XCTAssertEqual(source.nonZeros(in: 1..<2), 0)
        }
        XCTAssertEqual(try file.sparseGroup("/matrix").orientation, .columns)
        XCTAssertEqual(try file.sparseGroup("/matrix").storedShape, [4, 3])
        XCTAssertEqual(try file.sparseGroup("/X").density, 4.0 / 12.0, accuracy: 1e-12)
    }

    func testMalformedGroupsAreNamed() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("bad.h5")
        try write(path) { file in
            try writeGroup(file, "/short", data: csr.data, indices: csr.indices, indptr: [0, 2, 4])
            try file.setAttribute("encoding-type", .string("csr_matrix"), on: "/short")
            try file.setAttribute("shape", integers: [3, 4], on: "/short")
            try writeGroup(file, "/outside", data: csr.data, indices: [1, 3, 0, 9], indptr: csr.indptr)
            try file.setAttribute("encoding-type", .string("csr_matrix"), on: "/outside")
            try file.setAttribute("shape", integers: [3, 4], on: "/outside")
            try writeGroup(file, "/decreasing", data: csr.data, indices: csr.indices, indptr: [0, 3, 2, 4])
            try file.setAttribute("encoding-type", .string("csr_matrix"), on: "/decreasing")
            try file.setAttribute("shape", integers: [3, 4], on: "/decreasing")
            try writeGroup(file, "/unlabelled", data: csr.data, indices: csr.indices, indptr: csr.indptr)
        }
        let file = try HDF5File.openReadOnly(path)
        func message(_ group: String) -> String {
            do {
                let source = try SparseRowSource<Float>(file: file, group: group)
                _ = try source.readRows(0..<source.rows)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(message("/short").contains("indptr holds 3 offsets where 3 rows need 4"), message("/short"))
        XCTAssertTrue(message("/outside").contains("row 2 has a value in column 9, outside 0..<4"), message("/outside"))
        XCTAssertTrue(message("/decreasing").contains("indptr decreases after row 1"), message("/decreasing"))
        XCTAssertTrue(message("/unlabelled").contains("declares neither encoding-type"), message("/unlabelled"))
        XCTAssertTrue(message("/unlabelled").hasPrefix("\(path):/unlabelled is not a sparse matrix"), message("/unlabelled"))
    }

    /// Declared shapes are attributes anyone can write: one the arrays cannot hold, or of the
    /// wrong type, is named, never computed with (the rows Int.max declares overflowed).
    func testDeclaredShapesTheArraysCannotHoldAreNamed() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("shapes.h5")
        try write(path) { file in
            for (group, shape) in [("/rows", [Int.max, 4]), ("/columns", [3, 1 << 31]), ("/wide", [3, Int(Int32.max)])] {
                try writeGroup(file, group, data: csr.data, indices: csr.indices, indptr: csr.indptr)
                try file.setAttribute("encoding-type", .string("csr_matrix"), on: group)
                try file.setAttribute("shape", integers: shape, on: group)
            }
            try writeGroup(file, "/float", data: csr.data, indices: csr.indices, indptr: csr.indptr)
            try file.setAttribute("h5sparse_format", .string("csr"), on: "/float")
            try file.setAttribute("h5sparse_shape", .double(3), on: "/float")
            try writeGroup(file, "/tenx", data: csr.data, indices: csr.indices, indptr: csr.indptr)
            try file.write(dataset: "/tenx/shape", shape: [2], elements: [4.5, 3])
        }
        let file = try HDF5File.openReadOnly(path)
        func invalid(_ group: String, _ reason: String) -> HDF5StoreError {
            .invalidSparseGroup(path: path, group: group, reason: reason)
        }
        XCTAssertThrowsStoreError(invalid("/rows", "indptr holds 4 offsets where \(Int.max) rows need \(Int.max) + 1"),
                                  try file.sparseGroup("/rows"))
        XCTAssertThrowsStoreError(invalid("/columns", "its 2147483648 columns exceed what 32-bit indices can address"),
                                  try file.sparseGroup("/columns"))
        XCTAssertThrowsStoreError(invalid("/float", "its h5sparse_shape attribute holds float64, not integers"),
                                  try file.sparseGroup("/float"))
        XCTAssertThrowsStoreError(invalid("/tenx", "its shape dataset holds float64, not integers"),
                                  try file.sparseGroup("/tenx"))
        // The widest shape 32-bit indices allow is read, and its density computed without overflow.
        let wide = try file.sparseGroup("/wide")
        XCTAssertEqual(wide.density, 4 / 3 / Double(Int32.max), accuracy: 1e-20)
    }
}
