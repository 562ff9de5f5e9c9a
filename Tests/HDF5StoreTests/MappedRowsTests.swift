import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Rows used in place from the mapped file are exactly the rows HDF5 reads, for every
/// layout that allows it; other layouts are not mapped.
final class MappedRowsTests: XCTestCase {
    private let rows = 700, columns = 9

    private func values<T: HDF5Scalar>(as _: T.Type) -> [T] {
        (0..<(rows * columns)).map { T(($0 * 37) % 101) / 7 }
    }

    private func source<T: HDF5Scalar>(_ directory: ScratchDirectory, chunkRows: Int?, deflate: Int? = nil,
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
        let directory = try ScratchDirectory()
        try assertMappedRowsMatchReads(try source(directory, chunkRows: nil, stored: Float.self))
        for chunkRows in [1, 7, 128, 1000] {
            try assertMappedRowsMatchReads(try source(directory, chunkRows: chunkRows, stored: Float.self))
        }
    }

    func testCompressedOrConvertedDataIsNotMapped() throws {
        let directory = try ScratchDirectory()
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

    /// Another program truncates the file under the mapping: reads beyond the new end would
    /// raise SIGBUS; they read zeros instead, and the mapping says it faulted.
    func testATruncatedFileReadsAsZerosAndIsReported() throws {
        let directory = try ScratchDirectory()
        let file = try source(directory, chunkRows: nil, stored: Float.self)
        let source = try DenseRowBlockSource<Float>(file: file, dataset: "/X")
        let mapped = try XCTUnwrap(try source.mappedRows())
        let all = 0..<(rows * columns)
        mapped.load(rows: 0..<rows)
        XCTAssertEqual(mapped.withElements(all) { Array($0) }, values(as: Float.self))
        XCTAssertFalse(mapped.hasFaulted)

        XCTAssertEqual(truncate(file.path, 0), 0)
        let afterwards = mapped.withElements(all) { Array($0) }
        XCTAssertTrue(mapped.hasFaulted)
        XCTAssertEqual(afterwards, [Float](repeating: 0, count: rows * columns))
        mapped.load(rows: 0..<rows)
        mapped.release(rows: 0..<rows)
        XCTAssertThrowsError(try file.checkUnchanged())
    }

    /// A SIGBUS outside every registered mapping still ends the process by SIGBUS: here a
    /// child process reads a truncated mapping that was never registered.
    func testAFaultOutsideARegisteredMappingStillKillsTheProcess() throws {
        let directory = try ScratchDirectory()
        let file = try source(directory, chunkRows: nil, stored: Float.self)
        // A registered mapping, so that the handler is installed.
        let registered = try XCTUnwrap(try DenseRowBlockSource<Float>(file: file, dataset: "/X").mappedRows())
        let path = directory.file("plain.bin")
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        let length = 1 << 16
        XCTAssertEqual(ftruncate(descriptor, off_t(length)), 0)
        let unregistered = try XCTUnwrap(mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0))
        XCTAssertNotEqual(unregistered, MAP_FAILED)
        defer { munmap(unregistered, length) }
        XCTAssertEqual(ftruncate(descriptor, 0), 0)

        let child = fork()
        if child == 0 {
            // Quiet: the runtime's crash report would land in the test log.
            let null = open("/dev/null", O_WRONLY)
            dup2(null, STDOUT_FILENO)
            dup2(null, STDERR_FILENO)
            let byte = unregistered.load(fromByteOffset: 8192, as: UInt8.self)
            _exit(Int32(byte) + 100)
        }
        XCTAssertGreaterThan(child, 0)
        var status: Int32 = 0
        XCTAssertEqual(waitpid(child, &status, 0), child)
        XCTAssertEqual(status & 0x7f, SIGBUS, "ended by SIGBUS (wait status \(status))")
        XCTAssertFalse(registered.hasFaulted)
    }
}
