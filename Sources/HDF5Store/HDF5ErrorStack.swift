#if canImport(Glibc)
import Glibc
#endif

/// HDF5's error stack for one failed call, outermost call first, and what it means.
///
/// The deepest frames carry the cause: a system call's errno in the text of the sec2
/// driver's messages (`…, errno = 28, error message = 'No space left on device', …`,
/// `unable to lock file, errno = 11, …`) or a minor error such as "File has been truncated".
/// `classified` turns the recognized causes into the typed errors users see, each one line
/// naming the file; the whole stack stays only in `HDF5StoreError.library`, for debugging.
struct HDF5ErrorStack: Sendable, Equatable {
    struct Frame: Sendable, Equatable {
        var function: String
        var description: String
        var major: String
        var minor: String
    }

    var frames: [Frame]

    /// The whole stack on one line: `#0 H5Dwrite(): can't write data [Write failed]; #1 …`.
    var line: String {
        guard !frames.isEmpty else { return "(empty error stack)" }
        return frames.enumerated().map { index, frame in
            var entry = "#\(index) \(frame.function)(): \(frame.description)"
            if !frame.minor.isEmpty { entry += " [\(frame.minor)]" }
            return entry.split(whereSeparator: \.isNewline).joined(separator: " ")
        }.joined(separator: "; ")
    }

    /// The errno of the deepest frame that records one, with that frame.
    var systemError: (code: Int32, frame: Frame)? {
        for frame in frames.reversed() {
            if let code = Self.value(after: "errno = ", in: frame.description).flatMap({ Int32($0) }) {
                return (code, frame)
            }
        }
        return nil
    }

    /// The file HDF5's driver names in a failed read or write (`filename = '…'`).
    var fileName: String? {
        for frame in frames.reversed() {
            guard let start = frame.description.firstRange(of: "filename = '") else { continue }
            let rest = frame.description[start.upperBound...]
            if let end = rest.firstIndex(of: "'") { return String(rest[..<end]) }
        }
        return nil
    }

    /// The typed error for this stack: `file` is the file the call worked on, when known, as
    /// the user named it (HDF5's driver may know it by another name: a path through a
    /// directory's descriptor while it is built).
    func classified(operation: String, file: String?) -> HDF5StoreError {
        let path = file ?? fileName
        if let path, isOpenForWriting { return .openForWriting(path: path) }
        if let path, let truncation = frames.first(where: { $0.minor == "File has been truncated" }) {
            return .truncated(path: path,
                              size: Self.value(after: "eof = ", in: truncation.description).flatMap { Int($0) },
                              expectedSize: Self.value(after: "stored_eof = ", in: truncation.description)
                                  .flatMap { Int($0) })
        }
        if let path, let (code, frame) = systemError {
            let lowered = frame.function.lowercased() + " " + frame.description.lowercased()
            let action = lowered.contains("write") || lowered.contains("truncate") || lowered.contains("flush")
                ? "writing" : lowered.contains("read") ? "reading" : "accessing"
            return HDF5StoreError.system(code, action: action, path: path)
        }
        if let path, let detail = damage { return .damaged(path: path, detail: detail) }
        return .library(operation: operation, stack: line)
    }

    /// HDF5's file lock is taken (by a writer), or the superblock's status flags say a
    /// writer has the file open, or had it and never closed it.
    private var isOpenForWriting: Bool {
        frames.contains { frame in
            frame.description.contains("already open for write")
                || frame.description.contains("already open for SWMR write")
        } || frames.contains { frame in
            guard frame.description.contains("lock") else { return false }
            let code = Self.value(after: "errno = ", in: frame.description).flatMap { Int32($0) }
            return code == EAGAIN || code == EWOULDBLOCK
        }
    }

    /// What HDF5 found wrong in the file's content, when the failure is one of reading it:
    /// a signature, checksum or version that does not match, metadata that cannot be decoded,
    /// an address beyond the file's end, a chunk its filter cannot decode, a structure (local
    /// or global heap, metadata cache entry, B-tree, symbol table, object header) that does
    /// not hold together, links that loop.
    private var damage: String? {
        let damagedMinors: Set<String> = [
            "Unable to load metadata into cache", "Unable to decode value", "Wrong version number",
            "Checksum failed", "Bad object header link count", "Address overflow", "Address overflowed",
            "Too many soft links in path",
        ]
        // Functions that only read the file's own structures or decode its chunks: a failure
        // deepest in one of them is the file's, not the caller's. (A conversion HDF5 finds no
        // path for is one from a stored type already checked to be numeric: a damaged one.)
        let contentReaders = ["H5Z__filter", "H5Z_pipeline", "H5HL_offset_into", "H5HL__", "H5HG_read", "H5HG__",
                              "H5C_protect", "H5C__verify_len_eoa", "H5C__load_entry", "H5FD_read", "H5F__accum_read",
                              "H5F_block_read", "H5B_find", "H5B__", "H5B2", "H5O__chunk_deserialize", "H5O_protect",
                              "H5O__cache", "H5O_msg_read", "H5O__msg_", "H5G__traverse", "H5G_traverse", "H5G__loc_find",
                              "H5G__stab", "H5G__node", "H5G__obj", "H5F__super_read", "H5D__chunk_lookup",
                              "H5D__chunk_read", "H5D__btree", "H5EA", "H5FA", "H5SM", "H5T__conv_vlen", "H5T_vlen",
                              "H5A__dense", "H5O__attr", "H5O__obj_class", "H5D__chunk_lock", "H5D__chunk_set_sizes",
                              "H5D__cache_dataspace_info", "H5T__path_find"]
        guard let deepest = frames.last,
              frames.contains(where: { damagedMinors.contains($0.minor) })
                  || contentReaders.contains(where: { deepest.function.hasPrefix($0) })
                  // Decoding a message of the file's (a datatype, a dataspace, an attribute).
                  || deepest.function.contains("decode") else { return nil }
        return "\(deepest.function)(): " + deepest.description.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// The word after `marker` (digits, up to the next comma or space), as text.
    private static func value(after marker: String, in text: String) -> String? {
        guard let start = text.firstRange(of: marker) else { return nil }
        let word = text[start.upperBound...].prefix { $0 != "," && $0 != " " && $0 != "'" }
        return word.isEmpty ? nil : String(word)
    }
}
