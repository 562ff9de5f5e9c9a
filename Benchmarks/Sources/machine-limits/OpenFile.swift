#if canImport(Glibc)
import Glibc
#endif

/// A failed system call with what it was called on and the reason the system gave.
struct SystemCallFailure: Error, CustomStringConvertible {
    let call: String
    let subject: String
    let code: Int32

    var description: String { "\(call) \(subject): \(String(cString: strerror(code)))" }
}

/// An open file descriptor that closes itself; the only place the tool touches raw I/O.
final class OpenFile {
    let descriptor: Int32
    let name: String
    private(set) var byteCount: Int

    private init(descriptor: Int32, name: String) throws {
        self.descriptor = descriptor
        self.name = name
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw SystemCallFailure(call: "fstat", subject: name, code: code)
        }
        byteCount = Int(status.st_size)
    }

    deinit { close(descriptor) }

    convenience init(readingAt path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemCallFailure(call: "open", subject: path, code: errno) }
        try self.init(descriptor: descriptor, name: path)
    }

    /// A file of `byteCount` pseudo-random bytes in `directory`, flushed to the device.
    ///
    /// Its name is removed as soon as it is created, so the space returns to the file
    /// system when the descriptor closes, however the process ends.
    static func scratch(in directory: String, byteCount: Int, blockSize: Int) throws -> OpenFile {
        let path = directory + "/machine-limits-\(getpid()).bin"
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SystemCallFailure(call: "open", subject: path, code: errno) }
        unlink(path)
        let file = try OpenFile(descriptor: descriptor, name: path + " (deleted)")

        // Random bytes, so that no layer below can compress or deduplicate them.
        var generator = SplitMix64(seed: 0x5EED)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { buffer.deallocate() }
        var written = 0
        while written < byteCount {
            for offset in stride(from: 0, to: blockSize, by: 8) {
                buffer.storeBytes(of: generator.next(), toByteOffset: offset, as: UInt64.self)
            }
            let chunk = min(blockSize, byteCount - written)
            try file.writeFully(UnsafeRawBufferPointer(rebasing: buffer[0..<chunk]), at: written)
            written += chunk
        }
        guard fsync(descriptor) == 0 else { throw SystemCallFailure(call: "fsync", subject: file.name, code: errno) }
        file.byteCount = written
        return file
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw SystemCallFailure(call: "pwrite", subject: name, code: result < 0 ? errno : EIO) }
            done += result
        }
    }

    /// Drops the file's clean pages from the page cache; needs no privileges.
    func evictFromPageCache() throws {
        let code = posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
        guard code == 0 else { throw SystemCallFailure(call: "posix_fadvise", subject: name, code: code) }
    }

    /// The fraction of the file's pages in the page cache, from mincore: a direct check
    /// that eviction worked, rather than an inference from timings.
    func residentFraction() throws -> Double {
        guard byteCount > 0 else { return 0 }
        guard let mapping = mmap(nil, byteCount, PROT_READ, MAP_SHARED, descriptor, 0),
              mapping != MAP_FAILED else {
            throw SystemCallFailure(call: "mmap", subject: name, code: errno)
        }
        defer { munmap(mapping, byteCount) }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var residency = [UInt8](repeating: 0, count: (byteCount + pageSize - 1) / pageSize)
        guard mincore(mapping, byteCount, &residency) == 0 else {
            throw SystemCallFailure(call: "mincore", subject: name, code: errno)
        }
        let resident = residency.reduce(0) { $0 + Int($1 & 1) }
        return Double(resident) / Double(residency.count)
    }

    /// Reads the whole file front to back in blocks of `blockSize`; returns the bytes read.
    @discardableResult
    func readSequentially(blockSize: Int) throws -> Int {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { buffer.deallocate() }
        var offset = 0
        while true {
            let result = pread(descriptor, buffer, blockSize, off_t(offset))
            if result < 0 && errno == EINTR { continue }
            guard result >= 0 else { throw SystemCallFailure(call: "pread", subject: name, code: errno) }
            if result == 0 { return offset }
            offset += result
        }
    }
}
