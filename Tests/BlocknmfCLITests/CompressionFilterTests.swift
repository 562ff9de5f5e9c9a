import Foundation
import HDF5Store
import TestSupport
import XCTest

/// Files compressed with the filters h5py, anndata and hdf5plugin write (Tests/Fixtures/
/// compressed_FILTER.h5ad: one matrix as dense /X and as the CSR layer /layers/counts) factor
/// to the same W and H as the uncompressed file; a filter HDF5 cannot load is one line naming
/// the filter and where to get it, and `info` says factor cannot read the data.
final class CompressionFilterTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    private static let datasets = ["/X", "/layers/counts"]
    private static let fit = ["--rank", "3", "--solver", "cd", "--max-iter", "40", "--quiet"]

    private func factors(_ path: String) throws -> (w: [Float], h: [Float]) {
        let file = try HDF5File.openReadOnly(path)
        return (try file.readMatrix(dataset: "/W", as: Float.self).elements,
                try file.readMatrix(dataset: "/H", as: Float.self).elements)
    }

    /// Fits `dataset` of compressed_`filter`.h5ad and returns W and H.
    private func fit(_ filter: String, _ dataset: String, environment: [String: String] = [:]) throws
        -> (w: [Float], h: [Float])
    {
        let output = scratch.file("\(filter)\(dataset.replacingOccurrences(of: "/", with: "-")).h5")
        let result = try BlocknmfExecutable.run(
            ["factor", fixturePath("compressed_\(filter).h5ad"), "--dataset", dataset, "-o", output] + Self.fit,
            environment: environment)
        XCTAssertEqual(result.status, 0, "\(filter) \(dataset): \(result.standardError)")
        return try factors(output)
    }

    /// The directory of the hdf5plugin package's filter plugins, as its users point
    /// HDF5_PLUGIN_PATH at it.
    private func hdf5pluginDirectory() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import hdf5plugin; print(hdf5plugin.PLUGIN_PATH)"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python3 with hdf5plugin (pip install hdf5plugin) is needed")
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Debian's plugins (lzf, blosc, lz4) with no HDF5_PLUGIN_PATH; hdf5plugin's (bitshuffle,
    /// zstd) through a user's HDF5_PLUGIN_PATH, which must not hide Debian's: lzf, which
    /// hdf5plugin lacks, is read with it set too. Decompression is lossless, so the fits
    /// equal the uncompressed file's bit for bit.
    func testCompressedFilesGiveTheFitOfTheUncompressedFile() throws {
        let userPath = ["HDF5_PLUGIN_PATH": try hdf5pluginDirectory()]
        for dataset in Self.datasets {
            let reference = try fit("none", dataset)
            XCTAssertFalse(reference.w.isEmpty)
            for filter in ["lzf", "blosc", "lz4"] {
                let compressed = try fit(filter, dataset)
                XCTAssertEqual(compressed.w, reference.w, "\(filter) \(dataset)")
                XCTAssertEqual(compressed.h, reference.h, "\(filter) \(dataset)")
            }
            for filter in ["bitshuffle", "zstd", "lzf"] {
                let compressed = try fit(filter, dataset, environment: userPath)
                XCTAssertEqual(compressed.w, reference.w, "\(filter) \(dataset) with HDF5_PLUGIN_PATH")
                XCTAssertEqual(compressed.h, reference.h, "\(filter) \(dataset) with HDF5_PLUGIN_PATH")
            }
        }
    }

    /// The one line of a filter HDF5 cannot load, exit status 66, no output left behind.
    private func assertRefused(_ input: String, _ dataset: String, environment: [String: String],
                               message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try BlocknmfExecutable.run(
            ["factor", input, "--dataset", dataset, "-o", scratch.file("refused.h5")] + Self.fit,
            environment: environment)
        XCTAssertEqual(result.status, 66, result.standardError, file: file, line: line)
        XCTAssertEqual(result.standardError, "blocknmf: error: \(message)\n", file: file, line: line)
        XCTAssertEqual(scratch.contents, [], file: file, line: line)
    }

    /// Filters no Debian package provides are missing with only an empty directory searched
    /// besides Debian's.
    func testAMissingFilterIsOneLineNamingItAndWhereToGetIt() throws {
        let emptyDirectory = try ScratchDirectory()
        let noPlugins = ["HDF5_PLUGIN_PATH": emptyDirectory.path]
        let hdf5plugin = "no Debian package provides it; pip install hdf5plugin and set HDF5_PLUGIN_PATH to the "
            + "directory that python3 -c 'import hdf5plugin; print(hdf5plugin.PLUGIN_PATH)' prints"
        let zstd = fixturePath("compressed_zstd.h5ad")
        try assertRefused(zstd, "/X", environment: noPlugins,
                          message: "\(zstd):/X is stored with the HDF5 filter zstd (32015), which HDF5 cannot load: "
                              + hdf5plugin)
        let bitshuffle = fixturePath("compressed_bitshuffle.h5ad")
        try assertRefused(bitshuffle, "/layers/counts", environment: noPlugins,
                          message: "\(bitshuffle):/layers/counts/data is stored with the HDF5 filter bitshuffle (32008), "
                              + "which HDF5 cannot load: \(hdf5plugin)")
    }

    /// HDF5_PLUGIN_PRELOAD=:: keeps HDF5 from loading any plugin: the filters Debian packages
    /// are then missing too, and the message names their packages.
    func testFiltersOfDebianPackagesNameThePackage() throws {
        let cases = [("lzf", "/X", "lzf (32000)", "hdf5-plugin-lzf and liblzf1"),
                     ("blosc", "/layers/counts", "blosc (32001)", "hdf5-filter-plugin-blosc-serial"),
                     ("lz4", "/X", "lz4 (32004)", "hdf5-filter-plugin")]
        for (filter, dataset, named, packages) in cases {
            let input = fixturePath("compressed_\(filter).h5ad")
            let stored = dataset == "/X" ? dataset : dataset + "/data"
            try assertRefused(input, dataset, environment: ["HDF5_PLUGIN_PRELOAD": "::"],
                              message: "\(input):\(stored) is stored with the HDF5 filter \(named), which HDF5 cannot "
                                  + "load: HDF5_PLUGIN_PRELOAD disables plugins; unset it (and install Debian's \(packages))")
        }
    }

    func testAFilterIdNoPluginProvidesNamesTheIdAndHDF5sList() throws {
        let input = fixturePath("filter_unknown.h5")
        try assertRefused(input, "/X", environment: [:],
                          message: "\(input):/X is stored with the HDF5 filter 511, which HDF5 cannot load: find its "
                              + "plugin in HDF5's list of registered filters "
                              + "(https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md) "
                              + "and put the plugin's directory in HDF5_PLUGIN_PATH")
    }

    /// `info` marks a filter HDF5 cannot load and says factor cannot read the data, for a
    /// dense dataset and a sparse group; with the filter at hand it promises the usual read.
    func testInfoSaysWhichFiltersCannotBeLoaded() throws {
        let input = fixturePath("compressed_zstd.h5ad")
        let missing = try BlocknmfExecutable.run(["info", input], environment: ["HDF5_PLUGIN_PRELOAD": "::"])
        XCTAssertEqual(missing.status, 0, missing.standardError)
        /// The line of the entry that starts with `prefix`, and its plan line (after the line
        /// naming its rows and columns).
        func entry(_ prefix: String, in output: String) -> [String] {
            let lines = output.split(separator: "\n").map(String.init)
            guard let index = lines.firstIndex(where: { $0.hasPrefix(prefix) }),
                  let plan = lines[(index + 1)...].firstIndex(where: { $0.hasPrefix("    factor:") }) else { return [] }
            return [lines[index], lines[plan]]
        }
        let dense = entry("  /X  ", in: missing.standardOutput)
        XCTAssertEqual(dense.count, 2, missing.standardOutput)
        XCTAssertTrue(dense.first?.contains("chunks 64×30, zstd(32015) (not available), ") == true, missing.standardOutput)
        XCTAssertTrue(dense.last?.hasPrefix("    factor: cannot read it: /X is stored with the HDF5 filter zstd (32015), "
                                            + "which HDF5 cannot load: ") == true, missing.standardOutput)
        let sparse = entry("  /layers/counts  ", in: missing.standardOutput)
        XCTAssertTrue(sparse.first?.contains(", zstd(32015) (not available), ") == true, missing.standardOutput)
        XCTAssertTrue(sparse.last?.hasPrefix("    factor: cannot read it: /layers/counts/data is stored with the HDF5 "
                                             + "filter zstd (32015)") == true, missing.standardOutput)

        let available = try BlocknmfExecutable.run(["info", input], environment: ["HDF5_PLUGIN_PATH": try hdf5pluginDirectory()])
        XCTAssertEqual(available.status, 0, available.standardError)
        let found = available.standardOutput
        XCTAssertTrue(entry("  /X  ", in: found).first?.contains("chunks 64×30, zstd(32015), ") == true,
                      available.standardOutput)
        XCTAssertEqual(entry("  /X  ", in: found).last, "    factor: float32, read once and kept in memory")
        XCTAssertEqual(entry("  /layers/counts  ", in: found).last, "    factor: float32, read once and kept in memory")
        XCTAssertFalse(available.standardOutput.contains("not available"), available.standardOutput)
    }
}
