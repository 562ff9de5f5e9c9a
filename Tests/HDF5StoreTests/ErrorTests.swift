import Foundation
import HDF5Store
import TestSupport
import XCTest

final class ErrorTests: XCTestCase {
    func testMissingFile() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("absent.h5")
        XCTAssertThrowsStoreError(.fileNotFound(path: path), try HDF5File.openReadOnly(path))
    }

    func testTextFileIsNotHDF5() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("notes.h5")
        try "rows,columns\n1,2\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsStoreError(.notHDF5(path: path), try HDF5File.openReadOnly(path))
        XCTAssertEqual(HDF5StoreError.notHDF5(path: path).description, "\(path) is not an HDF5 file")
    }

    func testMissingDatasetListsMatrices() throws {
        let directory = try ScratchDirectory()
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
        let directory = try ScratchDirectory()
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
        let directory = try ScratchDirectory()
        let missing = directory.file("no/such/dir/out.h5")
        XCTAssertThrowsStoreError(
            .cannotCreate(path: missing, reason: "directory \(directory.file("no/such/dir")) does not exist"),
            try HDF5File.create(missing))
    }

    func testCreateUnderARegularFile() throws {
        let directory = try ScratchDirectory()
        let blocker = directory.file("plain.txt")
        try "x".write(toFile: blocker, atomically: true, encoding: .utf8)
        XCTAssertThrowsStoreError(
            .cannotCreate(path: blocker + "/out.h5", reason: "\(blocker) is not a directory"),
            try HDF5File.create(blocker + "/out.h5"))
    }

    func testClosedFileIsReported() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("closed.h5")
        let file = try HDF5File.create(path)
        try file.close()
        XCTAssertThrowsStoreError(.fileClosed(path: path), try file.datasets())
        try file.close()  // closing twice is harmless
    }
}

/// HDF5's error stack becomes one typed error naming the file: the causes a user can act on
/// (a file cut short, damaged, locked by a writer, a full disk) each have their own.
final class ClassifiedErrorTests: XCTestCase {
    private func writeMatrix(_ path: String) throws {
        let file = try HDF5File.create(path)
        try file.write(dataset: "/X", shape: [300, 40], elements: (0..<12_000).map { Float($0 % 17) })
        try file.write(dataset: "/Y", shape: [300, 40], elements: (0..<12_000).map { Float($0 % 13) })
        try file.close()
    }

    private func fileSize(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    func testATruncatedFileSaysHowShortItIs() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("cut.h5")
        try writeMatrix(path)
        let fullSize = try fileSize(path)
        XCTAssertEqual(truncate(path, off_t(fullSize / 2)), 0)
        XCTAssertThrowsStoreError(.truncated(path: path, size: fullSize / 2, expectedSize: fullSize),
                                  try HDF5File.openReadOnly(path))
        let message = HDF5StoreError.truncated(path: path, size: fullSize / 2, expectedSize: fullSize).description
        XCTAssertTrue(message.hasPrefix("\(path) is truncated (it holds \(fullSize / 2) bytes of the \(fullSize)"), message)
    }

    func testDamagedMetadataIsReportedWithHDF5sDeepestMessage() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("damaged.h5")
        try writeMatrix(path)
        // The root group's symbol table node follows the superblock and the root's header;
        // overwrite everything after the superblock's first kilobyte up to the data.
        let descriptor = open(path, O_WRONLY)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        let garbage = [UInt8](repeating: 0xFF, count: 1200)
        XCTAssertEqual(pwrite(descriptor, garbage, garbage.count, 800), garbage.count)
        close(descriptor)
        XCTAssertThrowsError(try HDF5File.openReadOnly(path).matrixDatasetPaths()) { error in
            guard case .damaged(let damagedPath, let detail)? = error as? HDF5StoreError else {
                return XCTFail("expected a damaged file, got \(error)")
            }
            XCTAssertEqual(damagedPath, path)
            XCTAssertFalse(detail.isEmpty)
            XCTAssertFalse("\(error)".contains("#1"), "no stack in \(error)")
        }
    }

    func testAFileLockedByAWriterIsOpenForWriting() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("locked.h5")
        try writeMatrix(path)
        // A writer's HDF5 holds an exclusive flock on the file; a reader's shared one then fails.
        let writer = open(path, O_RDWR)
        XCTAssertGreaterThanOrEqual(writer, 0)
        defer { close(writer) }
        XCTAssertEqual(flock(writer, LOCK_EX | LOCK_NB), 0)
        XCTAssertThrowsStoreError(.openForWriting(path: path), try HDF5File.openReadOnly(path))
        XCTAssertEqual(HDF5StoreError.openForWriting(path: path).description,
                       "\(path) is open for writing by another program (or was not closed by it: h5clear -s \(path))")
        flock(writer, LOCK_UN)
        XCTAssertNoThrow(try HDF5File.openReadOnly(path))
    }

    func testSystemErrorsAreTypedByErrno() {
        XCTAssertEqual(HDF5StoreError.system(ENOSPC, action: "writing", path: "out.h5"), .noSpace(path: "out.h5"))
        XCTAssertEqual(HDF5StoreError.system(EDQUOT, action: "writing", path: "out.h5"), .noSpace(path: "out.h5"))
        XCTAssertEqual(HDF5StoreError.system(EIO, action: "reading", path: "v.h5"),
                       .inputOutput(path: "v.h5", action: "reading", reason: String(cString: strerror(EIO))))
        XCTAssertEqual(HDF5StoreError.noSpace(path: "out.h5").description, "no space left on device writing out.h5")
    }

    func testAChangedInputIsNoticedByTheReader() throws {
        let directory = try ScratchDirectory()
        let path = directory.file("v.h5")
        try writeMatrix(path)
        let fullSize = try fileSize(path)
        let file = try HDF5File.openReadOnly(path)
        XCTAssertNoThrow(try file.checkUnchanged())
        XCTAssertEqual(truncate(path, off_t(fullSize - 4096)), 0)
        XCTAssertThrowsStoreError(
            .changedDuringRun(path: path, detail: "truncated from \(fullSize) to \(fullSize - 4096) bytes"),
            try file.checkUnchanged())

        let rewritten = try HDF5File.openReadOnly(directory.file("v.h5"))
        XCTAssertNoThrow(try rewritten.checkUnchanged())
        let descriptor = open(path, O_WRONLY)
        XCTAssertEqual(pwrite(descriptor, [UInt8(1)], 1, 5000), 1)
        var times = [timespec(tv_sec: 1, tv_nsec: 0), timespec(tv_sec: 1, tv_nsec: 0)]
        XCTAssertEqual(futimens(descriptor, &times), 0)
        close(descriptor)
        XCTAssertThrowsStoreError(.changedDuringRun(path: path, detail: "modified since the run opened it"),
                                  try rewritten.checkUnchanged())
    }

    func testAnUnrecognizedFailureShowsOnlyItsDeepestCause() throws {
        let directory = try ScratchDirectory()
        let writer = try HDF5File.create(directory.file("twice.h5"))
        try writer.write(dataset: "X", shape: [1], elements: [Float(1)])
        XCTAssertThrowsError(try writer.write(dataset: "X", shape: [1], elements: [Float(2)])) { error in
            guard case let .library(_, stack)? = error as? HDF5StoreError else {
                return XCTFail("expected a library error, got \(error)")
            }
            let deepest = String(stack.split(separator: "; #").last!.drop { $0 != " " }.dropFirst())
            XCTAssertEqual("\(error)", "HDF5 call H5Dcreate2 /X failed: \(deepest)")
            XCTAssertTrue(stack.contains("#1 "), "the whole stack stays in the error: \(stack)")
        }
    }
}
