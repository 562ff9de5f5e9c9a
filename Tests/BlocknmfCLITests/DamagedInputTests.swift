import Foundation
import TestSupport
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

    /// Dense matrices whose declared shape was never written: `info` says why factor cannot
    /// read them (its sizes overflowed), `factor` refuses them (it read fill values for ever).
    func testShapesNeverWrittenAreRefusedBeforeAnyRead() throws {
        let chunked = try write("chunked.h5", "f.create_dataset('X', shape=(2**31, 2**31), dtype='f8', chunks=(64, 64))")
        let contiguous = try write("contiguous.h5", "f.create_dataset('X', shape=(2**20, 2**20), dtype='f4')")
        let info = try BlocknmfExecutable.run(["info", chunked])
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertTrue(info.standardOutput.contains("factor: cannot read it: dataset '/X' in \(chunked) "
                                                   + "(2147483648×2147483648) was never completely written: 0 of its "
                                                   + "1125899906842624 chunks hold data"), info.standardOutput)
        XCTAssertTrue(try failure(factor(chunked), status: 65).contains("never completely written"))
        XCTAssertTrue(try failure(factor(contiguous), status: 65)
            .hasSuffix("(1048576×1048576) was never written: it has no storage in the file, and HDF5 would read its fill value"))
    }

    /// Sparse groups declaring shapes their arrays cannot hold: `info` computed with them and
    /// trapped on overflow.
    func testSparseShapesBeyondTheArraysAreNamed() throws {
        let tenX = try write("tenx.h5", """
            g = f.create_group('matrix')
            g['data'] = np.array([1, 2, 3], dtype=np.int32)
            g['indices'] = np.array([0, 1, 0], dtype=np.int64)
            g['indptr'] = np.array([0, 1, 3], dtype=np.int64)
            g['shape'] = np.array([2**63 - 1, 2**63 - 1], dtype=np.int64)
            """)
        let h5sparse = try write("h5sparse.h5", """
            g = f.create_group('X')
            g.attrs['h5sparse_format'] = 'csr'
            g.attrs['h5sparse_shape'] = np.array([2, np.iinfo(np.uint64).max], dtype=np.uint64)
            g['data'] = np.array([1.0, 2.0, 3.0])
            g['indices'] = np.array([0, 1, 0], dtype=np.int32)
            g['indptr'] = np.array([0, 1, 3], dtype=np.int64)
            """)
        for arguments in [["info", tenX], factor(tenX)] {
            XCTAssertTrue(try failure(arguments, status: 65)
                .hasSuffix("indptr holds 3 offsets where 9223372036854775807 columns need 9223372036854775807 + 1"))
        }
        for arguments in [["info", h5sparse], factor(h5sparse)] {
            XCTAssertTrue(try failure(arguments, status: 65)
                .hasSuffix("its 9223372036854775807 columns exceed what 32-bit indices can address"))
        }
    }

    /// A layout message recording a storage size of 2⁶⁴ − 1 bytes (HDF5 reads the data at its
    /// address all the same): `info` converted the size to Int and added such sizes up.
    func testDamagedStorageSizesAreListed() throws {
        let path = try write("storage.h5", """
            g = f.create_group('X')
            g.attrs['encoding-type'] = 'csr_matrix'
            g.attrs['shape'] = np.array([2, 3])
            g['data'] = np.array([1.0, 2.0, 3.0])
            g['indices'] = np.array([0, 1, 2], dtype=np.int32)
            g['indptr'] = np.array([0, 1, 3], dtype=np.int64)
            """)
        let damage = """
            import sys, struct, h5py
            with h5py.File(sys.argv[1], 'r') as f:
                data = f['X/data'].id
                layout = struct.pack('<QQ', data.get_offset(), data.get_storage_size())
            content = open(sys.argv[1], 'rb').read()
            assert content.count(layout) == 1
            open(sys.argv[1], 'wb').write(content.replace(layout, layout[:8] + b'\\xff' * 8))
            """
        let damaged = try PythonRunner.run(["-c", damage, path])
        XCTAssertEqual(damaged.status, 0, damaged.standardError)
        let info = try BlocknmfExecutable.run(["info", path])
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertTrue(info.standardOutput.contains("  /X  sparse CSR 2×3 float64"), info.standardOutput)
        XCTAssertTrue(info.standardOutput.contains("  /X/data  3 float64, contiguous, 8388608 TiB in the file"),
                      info.standardOutput)
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
        XCTAssertFalse(result.standardError.contains("HDF5-DIAG"), result.standardError)
        // A chunk its filter cannot decode is the file's damage (65), not an internal error (70).
        XCTAssertEqual(result.status, 65, result.standardError)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.hasPrefix("blocknmf: error: \(path) is damaged: HDF5 reports "
                                                         + "H5Z__filter_deflate(): inflate() failed"), result.standardError)
    }

    /// Finite values whose squares overflow: the fit's products became NaN, and the
    /// divergence loop trapped on a loss history of NaN only.
    func testValuesTooLargeForTheArithmeticAreRefused() throws {
        let path = try write("large.h5", """
            x = np.arange(60 * 12, dtype='f8').reshape(60, 12) % 5 + 1
            x[7, 3] = 1e300
            f['X'] = x
            """)
        for extra in [[], ["--solver", "mu", "--loss", "kullback-leibler"]] {
            XCTAssertEqual(try failure(factor(path, extra), status: 65),
                           "blocknmf: error: \(path):/X has values too large for float64 arithmetic: the fit's sums "
                           + "overflowed to infinity; scale the data down")
        }
    }
}
