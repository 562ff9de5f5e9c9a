import CHDF5
import CMappingGuard
#if canImport(Glibc)
import Glibc
#endif

/// The rows of a dataset mapped into memory straight from its file: for data stored
/// uncompressed and in the very type it is worked on in, a block already in the page
/// cache is used where it lies instead of being copied into a buffer.
///
/// The rows lie in pieces (the whole dataset when it is contiguous, else its chunks of
/// full rows) at known places in the file. A range of rows within one piece, or across
/// pieces that follow each other in the file, is lent out in place; a range across pieces
/// that do not (the file's index can sit between two chunks) is gathered into a copy.
/// The mapping is read-only and shared with the page cache: a block is brought in
/// (`load`) before use and given back (`release`) after, so resident memory holds the
/// blocks in use and not the whole file.
///
/// Another program may truncate the file under the mapping, and a read of a page beyond the
/// new end raises SIGBUS. The mapping is registered with `CMappingGuard`, whose handler
/// then puts zero pages in its place and marks it: reads go on, and `hasFaulted` tells the
/// owner that what they gave is not the file's content.
public final class MappedRows<Element: HDF5Scalar>: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    private let mapping: UnsafeMutableRawPointer
    private let length: Int
    /// The mapping's slot in the SIGBUS guard.
    private let guardSlot: Int32
    private let rowsPerPiece: Int
    /// Byte offset in the file (and the mapping) of each piece's first row.
    private let pieceStarts: [Int]
    private var rowBytes: Int { columns * MemoryLayout<Element>.stride }
    private static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }
    private static var populateRead: Int32 { 22 }  // MADV_POPULATE_READ, Linux 5.14 and later

    /// nil when the SIGBUS guard has no room for another mapping: the rows are then read, not mapped.
    init?(path: String, pieceStarts: [Int], rowsPerPiece: Int, rows: Int, columns: Int) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HDF5StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let pieceBytes = rowsPerPiece * columns * MemoryLayout<Element>.stride
        let length = max(1, (pieceStarts.max() ?? 0) + pieceBytes)
        guard let mapping = mmap(nil, length, PROT_READ, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED else {
            throw HDF5StoreError.cannotOpen(path: path, reason: "mmap: \(String(cString: strerror(errno)))")
        }
        let slot = mapping_guard_register(mapping, length)
        guard slot >= 0 else {
            munmap(mapping, length)
            return nil
        }
        guardSlot = slot
        self.mapping = mapping
        self.length = length
        self.pieceStarts = pieceStarts
        self.rowsPerPiece = rowsPerPiece
        self.rows = rows
        self.columns = columns
        madvise(mapping, length, MADV_SEQUENTIAL)
    }

    deinit {
        mapping_guard_unregister(guardSlot)
        munmap(mapping, length)
    }

    /// Whether a read met the end of a file truncated under the mapping: since then the
    /// mapping reads as zeros.
    public var hasFaulted: Bool { mapping_guard_faulted(guardSlot) != 0 }

    /// Calls `body` with elements `range` (row-major, counted from element 0; whole rows).
    public func withElements<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows * columns, "elements outside the dataset")
        precondition(range.lowerBound % columns == 0 && range.count % columns == 0, "whole rows only")
        let rowRange = (range.lowerBound / columns)..<(range.upperBound / columns)
        if let start = contiguousStart(of: rowRange) {
            let base = UnsafeRawPointer(mapping + start).assumingMemoryBound(to: Element.self)
            return try body(UnsafeBufferPointer(start: base, count: range.count))
        }
        let gathered = [Element](unsafeUninitializedCapacity: range.count) { buffer, initialized in
            var filled = 0
            for (start, count) in pieces(of: rowRange) {
                UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[(filled * rowBytes)...])
                    .copyMemory(from: UnsafeRawBufferPointer(start: mapping + start, count: count * rowBytes))
                filled += count
            }
            initialized = range.count
        }
        return try gathered.withUnsafeBufferPointer(body)
    }

    /// Whether every page of rows `range` is in the page cache: then using them in place
    /// costs no read. (Faulting uncached pages in costs more than one large read of them.)
    public func isCached(rows range: Range<Int>) -> Bool {
        for (start, count) in pieces(of: range) {
            let (address, bytes) = pages(from: start, bytes: count * rowBytes, whole: false)
            guard bytes > 0 else { continue }
            var residency = [UInt8](repeating: 0, count: (bytes + Self.pageSize - 1) / Self.pageSize)
            guard mincore(address, bytes, &residency) == 0, residency.allSatisfy({ $0 & 1 == 1 }) else { return false }
        }
        return true
    }

    /// Brings rows `range` into memory (from the page cache, or the disk), so that the
    /// computation that follows does not wait for them.
    public func load(rows range: Range<Int>) {
        for (start, count) in pieces(of: range) {
            let (address, bytes) = pages(from: start, bytes: count * rowBytes, whole: false)
            guard bytes > 0 else { continue }
            madvise(address, bytes, MADV_WILLNEED)
            if madvise(address, bytes, Self.populateRead) != 0 {
                // Older kernels: touch one byte per page.
                var sum: UInt8 = 0
                for offset in stride(from: 0, to: bytes, by: Self.pageSize) {
                    sum &+= UnsafeRawPointer(address).load(fromByteOffset: offset, as: UInt8.self)
                }
                withExtendedLifetime(sum) {}
            }
        }
    }

    /// Lets go of rows `range` (the pages that lie wholly inside them): the data stays in
    /// the page cache, no longer counted as this process's memory.
    public func release(rows range: Range<Int>) {
        for (start, count) in pieces(of: range) {
            let (address, bytes) = pages(from: start, bytes: count * rowBytes, whole: true)
            if bytes > 0 { madvise(address, bytes, MADV_DONTNEED) }
        }
    }

    /// Where rows `range` start when they lie one after the other in the file.
    private func contiguousStart(of range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return pieceStarts[0] }
        let first = range.lowerBound / rowsPerPiece, last = (range.upperBound - 1) / rowsPerPiece
        let pieceBytes = rowsPerPiece * rowBytes
        for piece in first..<last where pieceStarts[piece + 1] != pieceStarts[piece] + pieceBytes { return nil }
        return pieceStarts[first] + (range.lowerBound - first * rowsPerPiece) * rowBytes
    }

    /// The parts of rows `range` in each piece: where they start in the file, and how many rows.
    private func pieces(of range: Range<Int>) -> [(start: Int, rows: Int)] {
        var parts: [(Int, Int)] = []
        var row = range.lowerBound
        while row < range.upperBound {
            let piece = row / rowsPerPiece
            let end = min(range.upperBound, (piece + 1) * rowsPerPiece)
            parts.append((pieceStarts[piece] + (row - piece * rowsPerPiece) * rowBytes, end - row))
            row = end
        }
        return parts
    }

    /// The pages from `start` for `bytes` bytes (`whole`: only those covered completely).
    private func pages(from start: Int, bytes: Int, whole: Bool) -> (UnsafeMutableRawPointer, Int) {
        let page = Self.pageSize, end = start + bytes
        let low = whole ? (start + page - 1) / page * page : start / page * page
        let high = whole ? end / page * page : min((end + page - 1) / page * page, length)
        return (mapping + low, max(0, high - low))
    }
}

extension DenseRowBlockSource {
    /// The dataset's rows mapped into memory, when they are stored uncompressed in
    /// `Element`'s own type and byte order (contiguous, or in chunks of full rows); nil
    /// otherwise. The mapping is checked against HDF5's own read of the first and last rows.
    public func mappedRows() throws -> MappedRows<Element>? {
        guard rows > 0, columns > 0, let layout = try storedPieces() else { return nil }
        guard let mapped = try MappedRows<Element>(path: file.path, pieceStarts: layout.starts,
                                                   rowsPerPiece: layout.rowsPerPiece, rows: rows, columns: columns)
        else { return nil }
        for row in Set([0, rows - 1]) {
            var expected = [Element](repeating: 0, count: columns)
            try readRows(row..<(row + 1), into: &expected)
            let same = mapped.withElements((row * columns)..<((row + 1) * columns)) { mappedRow in
                UnsafeRawBufferPointer(mappedRow).elementsEqual(expected.withUnsafeBytes { Array($0) })
            }
            guard same else { return nil }
        }
        return mapped
    }

    /// Where the rows lie in the file: one piece for a contiguous dataset, one per chunk
    /// of full rows for a chunked one; nil when they are not stored as plain `Element`s.
    private func storedPieces() throws -> (rowsPerPiece: Int, starts: [Int])? {
        let datasetID = try openDatasetID()
        let type = try DatatypeHandle("H5Dget_type \(datasetPath)") { H5Dget_type(datasetID) }
        let sameType = try hdf5("H5Tequal") { H5Tequal(type.id, Element.nativeTypeID) }
        guard sameType > 0 else { return nil }
        let fileID = try file.id
        let creation = try PropertyListHandle("H5Fget_create_plist") { H5Fget_create_plist(fileID) }
        var userBlock: hsize_t = 0
        try hdf5("H5Pget_userblock") { H5Pget_userblock(creation.id, &userBlock) }
        let base = Int(userBlock), undefined = haddr_t.max
        guard let chunkShape else {
            let address = H5Dget_offset(datasetID)
            return address == undefined ? nil : (rows, [base + Int(address)])
        }
        guard filters.isEmpty, chunkShape.count == 2, chunkShape[1] == columns, chunkShape[0] > 0 else { return nil }
        let chunkBytes = chunkShape[0] * columns * MemoryLayout<Element>.stride
        var starts: [Int] = []
        for chunk in 0..<((rows + chunkShape[0] - 1) / chunkShape[0]) {
            var coordinates: [hsize_t] = [hsize_t(chunk * chunkShape[0]), 0]
            var mask: UInt32 = 0, address: haddr_t = 0, size: hsize_t = 0
            guard H5Dget_chunk_info_by_coord(datasetID, &coordinates, &mask, &address, &size) >= 0,
                  address != undefined, Int(size) == chunkBytes
            else { return nil }
            starts.append(base + Int(address))
        }
        return (chunkShape[0], starts)
    }
}
