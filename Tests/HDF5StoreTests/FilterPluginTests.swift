import Foundation
@testable import HDF5Store
import TestSupport
import XCTest

/// The filters Debian packages as HDF5 plugins are found without HDF5_PLUGIN_PATH, and the
/// data they decompress is the data the uncompressed file holds.
final class FilterPluginTests: XCTestCase {
    func testDebianPluginsDecompressToTheStoredValues() throws {
        let reference = try HDF5File.openReadOnly(fixturePath("compressed_none.h5ad"))
        let dense = try reference.readMatrix(dataset: "/X", as: Float.self).elements
        let sparse = try ["data", "indices", "indptr"].map {
            try reference.readArray(dataset: "/layers/counts/\($0)", as: Double.self).elements
        }
        XCTAssertEqual(dense.count, 200 * 30)
        for (filter, id) in [("lzf", 32000), ("blosc", 32001), ("lz4", 32004)] {
            let file = try HDF5File.openReadOnly(fixturePath("compressed_\(filter).h5ad"))
            let listed = try file.datasets().first { $0.path == "/X" }
            XCTAssertEqual(listed?.pipeline.map(\.id), [id], filter)
            XCTAssertEqual(listed?.pipeline.map(\.isAvailable), [true], filter)
            XCTAssertEqual(listed?.filters, ["\(filter)(\(id))"], filter)
            XCTAssertEqual(try file.readMatrix(dataset: "/X", as: Float.self).elements, dense, filter)
            for (index, name) in ["data", "indices", "indptr"].enumerated() {
                XCTAssertEqual(try file.readArray(dataset: "/layers/counts/\(name)", as: Double.self).elements,
                               sparse[index], "\(filter) \(name)")
            }
        }
    }

    func testDebianPluginDirectoryIsSearched() throws {
        let directory = try XCTUnwrap(FilterPlugins.debianDirectory)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory), "the plugin packages are installed by tools/setup.sh")
        XCTAssertTrue(FilterPlugins.searchPath().contains(directory), "\(FilterPlugins.searchPath())")
    }
}
