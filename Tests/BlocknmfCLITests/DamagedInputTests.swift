import Foundation
import XCTest

/// Inputs the fuzz campaign (tools/fuzz_inputs.py) found mishandled: each ends in one line on
/// stderr and a data status, where they crashed, hung, or printed HDF5's own error report.
final class DamagedInputTests: XCTestCase {
    private var scratch: ScratchDirectory!

    override func setUpWithError() throws { scratch = try ScratchDirectory() }
    override func tearDown() { scratch = nil }

    /// Writes `name` with h5py: `script` runs with `f`, the file open for writing.
    private func write(_ name: String, _ script: String) throws -> String {
        let path = scratch.file(name)
        let program = "import sys, h5py, numpy as np\nwith h5py.File(sys.argv[1], 'w') as f:\n"
            + script.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        let result = try PythonRunner.run(["-c", program, path])
        XCTAssertEqual(result.status, 0, "h5py (pip install h5py) is needed: \(result.standardError)")
        return path
    }

    /// Runs blocknmf expecting failure with `status`: its one line of stderr.
    private func failure(_ arguments: [String], status: Int32,
                         file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try BlocknmfExecutable.run(arguments)
        XCTAssertEqual(result.status, status, result.standardError, file: file, line: line)
        let lines = result.standardError.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        XCTAssertEqual(lines.count, 1, "one line expected: \(result.standardError)", file: file, line: line)
        XCTAssertTrue(result.standardError.hasPrefix("blocknmf: error: "), result.standardError, file: file, line: line)
        return String(lines.first ?? "")
    }

    private func factor(_ path: String, _ extra: [String] = []) -> [String] {
        ["factor", path, "--rank", "2", "--max-iter", "3", "--quiet", "-o", scratch.file("out.h5")] + extra
    }

    /// A chunk that cannot be decompressed, read while V streams: the read happens on the
    /// reader thread, where HDF5 printed its own error report before BlockNMF's line.
    func testReadFailuresOnTheReaderThreadAreOneLine() throws {
        let path = try write("damaged.h5", """
            f.create_dataset('X', data=np.arange(600 * 12, dtype='f8').reshape(600, 12) % 7,
                             chunks=(16, 12), compression='gzip')
            """)
        let damage = """
            import sys, h5py
            with h5py.File(sys.argv[1], 'r') as f:
                chunk = f['X'].id.get_chunk_info(30)
            with open(sys.argv[1], 'r+b') as f:
                f.seek(chunk.byte_offset + 2)
                f.write(bytes(chunk.size - 2))
            """
        XCTAssertEqual(try PythonRunner.run(["-c", damage, path]).status, 0)
        let result = try BlocknmfExecutable.run(factor(path, ["--block-rows", "64"]))
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.standardError.contains("HDF5-DIAG"), result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.hasPrefix("blocknmf: error: "), result.standardError)
    }
}
