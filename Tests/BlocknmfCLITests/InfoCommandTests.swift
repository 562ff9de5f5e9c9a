import Foundation
import HDF5Store
import TestSupport
import XCTest

final class InfoCommandTests: XCTestCase {
    func testInfoListsDatasetsAndTheReadPlan() throws {
        let scratch = try ScratchDirectory()
        let file = try HDF5File.create(scratch.file("d.h5"))
        try file.write(dataset: "/group/X", shape: [4000, 100], elements: [Float](repeating: 1, count: 400_000),
                       chunkRows: 500, deflateLevel: 4, shuffle: true)
        try file.write(dataset: "/labels", shape: [4000], elements: [Int32](repeating: 2, count: 4000))
        try file.close()

        let text = try BlocknmfExecutable.run(["info", scratch.file("d.h5"), "--memory", "1MiB"])
        XCTAssertEqual(text.status, 0, text.standardError)
        XCTAssertTrue(text.standardOutput.contains("/group/X  4000×100 float32, chunks 500×100, shuffle, deflate(4)"),
                      text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("/labels  4000 int32, contiguous"), text.standardOutput)
        XCTAssertTrue(text.standardOutput.contains("streamed in 512-row blocks")
                      || text.standardOutput.contains("streamed in 256-row blocks"), text.standardOutput)

        let resident = try BlocknmfExecutable.run(["info", scratch.file("d.h5"), "--memory", "1GiB"])
        XCTAssertTrue(resident.standardOutput.contains("read once and kept in memory"), resident.standardOutput)

        let json = try BlocknmfExecutable.run(["info", scratch.file("d.h5"), "--json"])
        let entries = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]]
        XCTAssertEqual(entries?.compactMap { $0["path"] as? String }.sorted(), ["/group/X", "/labels"])
    }

    func testInfoOnAMissingFileFails() throws {
        let result = try BlocknmfExecutable.run(["info", "/nonexistent/file.h5"])
        XCTAssertEqual(result.status, 66)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1)
    }
}
