import CFileCalls
#if canImport(Glibc)
import Glibc
#endif

/// A matrix of `rows × columns` elements in a raw file, read and written by ranges
/// of rows: where a factor lives when it does not fit the memory budget, and the
/// buffers of a checkpoint.
///
/// The file holds the elements in row-major order in this machine's layout. A
/// working file of one process is unlinked as soon as it is open, so nothing is left
/// behind however the process ends; a checkpoint's buffer is kept under its name.
/// Either is created new (never through a link, never over an existing file), mode 0600.
public final class ScratchRowFile<Element: BitwiseCopyable>: @unchecked Sendable {
    public let path: String
    public let rows: Int
    public let columns: Int
    private let descriptor: Int32
    /// Where a working file was made, for `temporarySibling`.
    private let temporaryLocation: (directory: String, prefix: String)?

    /// A working file with room for `rows × columns` elements, made in `directory` under
    /// `prefix` and an unpredictable suffix and unlinked at once: the data lives as long as
    /// this object.
    public static func temporary(in directory: String, prefix: String, rows: Int, columns: Int) throws
        -> ScratchRowFile<Element>
    {
        let opened: OpenDirectory
        do {
            opened = try OpenDirectory(path: directory)
        } catch FileStorageError.cannotOpen(_, let reason) {
            throw FileStorageError.cannotCreate(path: "\(directory)/\(prefix)…", reason: reason)
        }
        let (name, descriptor) = try opened.createUniqueFile(prefix: prefix)
        opened.remove(name)
        return try ScratchRowFile(descriptor: descriptor, path: opened.member(name), rows: rows, columns: columns,
                                  temporaryLocation: (directory, prefix))
    }

    /// Another working file like this one (same directory, same prefix).
    public func temporarySibling() throws -> ScratchRowFile<Element> {
        guard let temporaryLocation else { preconditionFailure("a sibling of a working file only") }
        return try Self.temporary(in: temporaryLocation.directory, prefix: temporaryLocation.prefix, rows: rows,
                                  columns: columns)
    }

    /// Creates the kept file `name` in `directory` (it must not exist) with room for
    /// `rows × columns` elements.
    public convenience init(creating name: String, in directory: OpenDirectory, rows: Int, columns: Int) throws {
        let descriptor = try directory.createFile(name)
        do {
            try self.init(descriptor: descriptor, path: directory.member(name), rows: rows, columns: columns,
                          temporaryLocation: nil)
        } catch {
            directory.remove(name)
            throw error
        }
    }

    private init(descriptor: Int32, path: String, rows: Int, columns: Int,
                 temporaryLocation: (directory: String, prefix: String)?) throws {
        guard ftruncate(descriptor, off_t(rows * columns * MemoryLayout<Element>.stride)) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw FileStorageError.cannotCreate(path: path, reason: reason)
        }
        self.path = path
        self.rows = rows
        self.columns = columns
        self.descriptor = descriptor
        self.temporaryLocation = temporaryLocation
    }

    /// Opens the kept file `name` in `directory`, which must be trusted (see
    /// `OpenDirectory.openTrusted`) and hold exactly `rows × columns` elements.
    public init(opening name: String, in directory: OpenDirectory, rows: Int, columns: Int) throws {
        let path = directory.member(name)
        let descriptor = try directory.openTrusted(name, flags: O_RDWR)
        var status = stat()
        let expected = rows * columns * MemoryLayout<Element>.stride
        guard fstat(descriptor, &status) == 0, Int(status.st_size) == expected else {
            close(descriptor)
            throw FileStorageError.cannotOpen(
                path: path, reason: "holds \(status.st_size) bytes where \(rows)×\(columns) elements take \(expected)")
        }
        self.path = path
        self.rows = rows
        self.columns = columns
        self.descriptor = descriptor
        temporaryLocation = nil
    }

    /// Waits until everything written is on the storage device.
    public func synchronize() throws {
        guard fsync(descriptor) == 0 else {
            throw FileStorageError.system(errno, action: "writing", path: path)
        }
    }

    /// Adds rows `range` to `checksum`, reading them a piece at a time.
    public func addRows(_ range: Range<Int>, to checksum: inout Checksum) throws {
        try forEachPiece(of: range) { elements in checksum.add(elements) }
    }

    /// Copies rows `range` into the same rows of `other`, a piece at a time.
    public func copyRows(_ range: Range<Int>, to other: ScratchRowFile<Element>) throws {
        precondition(other.columns == columns, "same row length")
        var row = range.lowerBound
        try forEachPiece(of: range) { elements in
            try other.write(rows: row, elements: elements)
            row += elements.count / max(columns, 1)
        }
    }

    private func forEachPiece(of range: Range<Int>, _ body: ([Element]) throws -> Void) throws {
        let rowsPerPiece = max(1, (8 << 20) / max(1, columns * MemoryLayout<Element>.stride))
        for start in stride(from: range.lowerBound, to: range.upperBound, by: rowsPerPiece) {
            try body(try read(rows: start..<min(start + rowsPerPiece, range.upperBound)))
        }
    }

    deinit { close(descriptor) }

    /// Rows `range`, row-major.
    public func read(rows range: Range<Int>) throws -> [Element] {
        try checkBounds(range)
        let count = range.count * columns
        var elements = [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        try elements.withUnsafeMutableBytes { bytes in
            try transfer(bytes.count, at: offset(of: range.lowerBound), operation: "read") { done in
                pread(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset(of: range.lowerBound) + done))
            }
        }
        return elements
    }

    /// Overwrites rows starting at `firstRow` with `elements` (whole rows, row-major).
    public func write(rows firstRow: Int, elements: [Element]) throws {
        precondition(elements.count % max(columns, 1) == 0, "whole rows only")
        let range = firstRow..<(firstRow + elements.count / max(columns, 1))
        try checkBounds(range)
        try elements.withUnsafeBytes { bytes in
            try transfer(bytes.count, at: offset(of: firstRow), operation: "write") { done in
                pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset(of: firstRow) + done))
            }
        }
    }

    /// Gives the storage of rows `range` back to the file system (their content is then
    /// zero), so a file read once front to back need not keep its whole size on disk.
    /// Only whole pages are freed; a file system that cannot punch holes keeps them.
    public func release(rows range: Range<Int>) {
        guard !range.isEmpty, range.lowerBound >= 0, range.upperBound <= rows else { return }
        _ = cfilecalls_punch_hole(descriptor, off_t(offset(of: range.lowerBound)),
                             off_t(offset(of: range.upperBound) - offset(of: range.lowerBound)))
    }

    private func offset(of row: Int) -> Int { row * columns * MemoryLayout<Element>.stride }

    private func checkBounds(_ range: Range<Int>) throws {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw FileStorageError.rowsOutOfBounds(path: path, range: range, rows: rows)
        }
    }

    /// Repeats a partial pread/pwrite until `total` bytes moved.
    private func transfer(_ total: Int, at start: Int, operation: String, _ step: (Int) -> Int) throws {
        var done = 0
        while done < total {
            let moved = step(done)
            if moved < 0 && errno == EINTR { continue }
            guard moved > 0 else {
                let action = operation == "read" ? "reading" : "writing"
                if moved < 0 { throw FileStorageError.system(errno, action: action, path: path) }
                throw FileStorageError.inputOutput(path: path, action: action, reason: "unexpected end of file")
            }
            done += moved
        }
    }
}
