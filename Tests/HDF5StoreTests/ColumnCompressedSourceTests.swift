import Foundation
import HDF5Store
import TestSupport
import XCTest

/// A column-compressed group (AnnData's CSC) put in row order — in memory, or copied through
/// buckets of a spill file — holds exactly the matrix it encodes, each row's columns increasing.
final class ColumnCompressedSourceTests: XCTestCase {
    /// A 41×23 matrix of small integers, about 60 % zeros, with an empty row (7), an empty
    /// column (5) and a full row (12, more values than the smallest buckets hold).
    private func matrix() -> [[Double]] {
        var seeded = SplitMix(state: 2024)
        return (0..<41).map { row in
            (0..<23).map { column in
                if row == 7 || column == 5 { return 0 }
                if row == 12 { return Double(column + 1) }
                return seeded.next() % 10 < 4 ? Double(seeded.next() % 9 + 1) : 0
            }
        }
    }

    /// `dense` as AnnData's CSC group at `group`: each column's rows in a shuffled order, so
    /// that nothing relies on sorted row indices.
    private func writeCSC(_ dense: [[Double]], to file: HDF5File, group: String, as encoding: String = "csc_matrix")
        throws
    {
        var seeded = SplitMix(state: 7)
        var data: [Double] = [], indices: [Int32] = [], indptr: [Int64] = [0]
        for column in 0..<dense[0].count {
            var rows = dense.indices.filter { dense[$0][column] != 0 }
            for index in rows.indices.reversed() where index > 0 {
                rows.swapAt(index, Int(seeded.next() % UInt64(index + 1)))
            }
            for row in rows {
                data.append(dense[row][column])
                indices.append(Int32(row))
            }
            indptr.append(Int64(data.count))
        }
        try file.write(dataset: "\(group)/data", shape: [data.count], elements: data)
        try file.write(dataset: "\(group)/indices", shape: [indices.count], elements: indices)
        try file.write(dataset: "\(group)/indptr", shape: [indptr.count], elements: indptr)
        try file.setAttribute("encoding-type", .string(encoding), on: group)
        try file.setAttribute("shape", integers: [dense.count, dense[0].count], on: group)
    }

    /// Row-compressed arrays checked against `dense`: every row's columns strictly
    /// increasing, and the values where the matrix has them.
    private func assertRows(_ rows: (offsets: [Int], columns: [Int32], values: [Double]), equal dense: [[Double]],
                            _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(rows.offsets.count, dense.count + 1, context, file: file, line: line)
        var rebuilt = dense.map { $0.map { _ in 0.0 } }
        for row in dense.indices {
            let stored = rows.offsets[row]..<rows.offsets[row + 1]
            XCTAssertTrue(zip(rows.columns[stored], rows.columns[stored].dropFirst()).allSatisfy { $0 < $1 },
                          "\(context): row \(row) columns \(Array(rows.columns[stored]))", file: file, line: line)
            for position in stored { rebuilt[row][Int(rows.columns[position])] += rows.values[position] }
        }
        XCTAssertEqual(rebuilt, dense, context, file: file, line: line)
    }

    func testTransposedInMemoryAndCopiedThroughBucketsHoldTheMatrix() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("csc.h5ad")
        let dense = matrix()
        let file = try HDF5File.create(path)
        try writeCSC(dense, to: file, group: "/X")
        try file.close()

        let source = try ColumnCompressedSource<Double>(file: try HDF5File.openReadOnly(path), group: "/X")
        XCTAssertEqual([source.rows, source.columns], [41, 23])
        // Pieces smaller than a column, so columns straddle the pieces read.
        let inMemory = try source.transposed(pieceValues: 5)
        assertRows(inMemory, equal: dense, "in memory")

        // Budgets of one bucket, and of buckets of 10 values (the full row alone exceeds one).
        var made = ["csc.h5ad"]
        for budget in [1 << 20, 2 * 10 * 28] {
            let copyPath = directory.file("copy-\(budget).h5")
            let buckets = try source.writeRowCompressedCopy(into: try HDF5File.create(copyPath),
                                                            spillDirectory: directory.path, budgetBytes: budget,
                                                            pieceValues: 7)
            XCTAssertEqual(buckets > 1, budget < 1 << 20, "budget \(budget): \(buckets) buckets")
            made.append("copy-\(budget).h5")
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), made.sorted(),
                           "the spill has no name")
            let copy = try HDF5File.openReadOnly(copyPath)
            XCTAssertEqual(try copy.sparseGroup("/X").orientation, .rows)
            let rows = try SparseRowSource<Double>(file: copy, group: "/X")
            let read = try rows.readRows(0..<rows.rows)
            assertRows(read, equal: dense, "copy with budget \(budget)")
            XCTAssertEqual(read.columns, inMemory.columns, "budget \(budget): the same arrays as in memory")
            XCTAssertEqual(read.values, inMemory.values, "budget \(budget): the same arrays as in memory")
        }
    }

    func testBucketsCoverEveryRowAndHoldAtMostTheirCapacity() {
        let counts = [0, 3, 0, 12, 1, 1, 1, 0, 5, 5, 0]
        var offsets = [0]
        for count in counts { offsets.append(offsets.last! + count) }
        let buckets = ColumnCompressedSource<Float>.buckets(rowOffsets: offsets, capacity: 5)
        XCTAssertEqual(buckets.first?.lowerBound, 0)
        XCTAssertEqual(buckets.last?.upperBound, counts.count)
        for (bucket, next) in zip(buckets, buckets.dropFirst()) { XCTAssertEqual(bucket.upperBound, next.lowerBound) }
        for bucket in buckets {
            let values = offsets[bucket.upperBound] - offsets[bucket.lowerBound]
            XCTAssertTrue(values <= 5 || bucket.count == 1, "\(bucket) holds \(values)")
            // Greedy: the next row would not have fitted.
            if bucket.upperBound < counts.count {
                XCTAssertGreaterThan(offsets[bucket.upperBound + 1] - offsets[bucket.lowerBound], 5, "\(bucket)")
            }
        }
    }

    func testARowOutsideTheMatrixNamesItsColumn() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("bad.h5ad")
        let file = try HDF5File.create(path)
        // 3×2, column 1 holds a value in row 3.
        try file.write(dataset: "/X/data", shape: [3], elements: [1.0, 2, 3])
        try file.write(dataset: "/X/indices", shape: [3], elements: [Int32(0), 2, 3])
        try file.write(dataset: "/X/indptr", shape: [3], elements: [Int64(0), 1, 3])
        try file.setAttribute("encoding-type", .string("csc_matrix"), on: "/X")
        try file.setAttribute("shape", integers: [3, 2], on: "/X")
        try file.close()
        let source = try ColumnCompressedSource<Float>(file: try HDF5File.openReadOnly(path), group: "/X")
        XCTAssertThrowsStoreError(
            .invalidSparseGroup(path: path, group: "/X", reason: "column 1 has a value in row 3, outside 0..<3"),
            try source.transposed())
    }
}

/// A small deterministic generator (SplitMix64), so the matrices are the same on every run.
private struct SplitMix {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
