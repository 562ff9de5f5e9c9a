import FileStorage
import HDF5Store
import NMFKernels

/// How a column-compressed sparse matrix (AnnData's or h5sparse's CSC) was put in row order
/// before the fit: the engine reads V a block of rows at a time, and such a matrix spreads
/// every row over all its columns.
///
/// V that the plan keeps in memory is transposed there once (`inMemory`). Otherwise one pass
/// over the group writes a row-compressed copy (`ColumnCompressedSource`) into the scratch
/// directory, which every pass then streams; the copy has no name while it is written and
/// read, so it never outlives the run.
public struct RowOrder: Sendable, Equatable, Codable {
    public enum Place: String, Sendable, Codable {
        /// Transposed in memory and kept.
        case memory
        /// Copied by rows to a file in the scratch directory, removed at the end.
        case scratch
    }

    public let place: Place
    /// Seconds spent putting the matrix in row order.
    public let seconds: Double
    /// Bytes of the copy on disk (0 in memory).
    public let copyBytes: Int
    /// Ranges of rows sorted one at a time (1: everything at once).
    public let buckets: Int
}

/// Progress of putting a column-compressed matrix in row order.
public struct RowOrderProgress: Sendable {
    /// Share of the work done, 0…1.
    public let fraction: Double
}

/// Where a command that reads V puts a column-compressed matrix's row-ordered copy, and
/// whom it tells how far it is.
struct RowOrderSettings {
    /// The scratch directory: the output's, or `--scratch-dir`.
    var directory: String
    var onProgress: ((RowOrderProgress) -> Void)? = nil
    /// Asked between pieces: a run asked to stop gives up the copy.
    var stop: (() -> StopReason?)? = nil
}

extension RowOrder {
    /// `source`'s matrix transposed in memory, kept as the resident V.
    static func inMemory<T: NMFScalar & HDF5Scalar>(_ source: ColumnCompressedSource<T>, settings: RowOrderSettings,
                                                    description: String) throws -> (SparseRowBlocks<T>, RowOrder) {
        let clock = Stopwatch()
        let (offsets, columnIndices, values) = try source.transposed(
            progress: settings.progressReporter(totalSteps: 2 * source.nonZeros))
        let seconds = clock.elapsedSeconds
        let rows = CompressedRows(columns: source.columns, offsets: offsets, columnIndices: columnIndices, values: values)
        let bytes = source.nonZeros * (2 * MemoryLayout<Int32>.stride + MemoryLayout<T>.stride)
        return (SparseRowBlocks(resident: rows, bytesRead: bytes, readSeconds: seconds, sourceDescription: description),
                RowOrder(place: .memory, seconds: seconds, copyBytes: 0, buckets: 1))
    }

    /// A row-compressed copy of `source`'s matrix in the scratch directory, made under
    /// `budgetBytes` of memory, once the scratch directory's file system is known to have
    /// room for it. HDF5 creates the copy by name, in a private directory reached
    /// through its descriptor; the name and the directory are removed at once, before anything
    /// is written: however the run ends, the system reclaims the copy, and no other user can
    /// reach it.
    static func copy<T: NMFScalar & HDF5Scalar>(_ source: ColumnCompressedSource<T>, budgetBytes: Int,
                                                settings: RowOrderSettings) throws -> (SparseRowSource<T>, RowOrder) {
        let clock = Stopwatch()
        let needed = ColumnCompressedSource<T>.copyDiskBytes(rows: source.rows, nonZeros: source.nonZeros,
                                                             budgetBytes: budgetBytes)
        if let free = FreeSpace.available(at: settings.directory), free.bytes < needed {
            throw ResourceError.noSpace(path: settings.directory,
                                        needs: [.init(what: "the row-ordered copy of V", bytes: needed)],
                                        available: free.bytes)
        }
        let scratch = try OpenDirectory(path: settings.directory)
        let (privateName, privateDirectory) = try scratch.makePrivateSubdirectory(prefix: ".blocknmf-rows-")
        let copy: HDF5File
        do {
            defer {
                _ = privateDirectory.remove("rows.h5")
                _ = scratch.removeDirectory(privateName)
            }
            copy = try HDF5File.create(privateDirectory.member("rows.h5"), at: privateDirectory.pathThroughDescriptor("rows.h5"))
        }
        let passes = source.nonZeros > ColumnCompressedSource<T>.bucketCapacity(budgetBytes: budgetBytes) ? 3 : 2
        let buckets = try source.writeRowCompressedCopy(
            into: copy, spillDirectory: settings.directory, budgetBytes: budgetBytes,
            progress: settings.progressReporter(totalSteps: passes * source.nonZeros))
        let rows = try SparseRowSource<T>(file: copy, group: "/X")
        return (rows, RowOrder(place: .scratch, seconds: clock.elapsedSeconds, copyBytes: try copy.size(),
                               buckets: buckets))
    }
}

extension RowOrderSettings {
    /// Adds up the steps `ColumnCompressedSource` reports, tells `onProgress` about once
    /// a percent, and stops the work when asked to.
    func progressReporter(totalSteps: Int) -> (Int) throws -> Void {
        var done = 0, reported = -1
        return { steps in
            if let reason = stop?() { throw LoopStopped(reason: reason, state: (0, 0)) }
            done += steps
            let percent = totalSteps > 0 ? 100 * done / totalSteps : 100
            if percent > reported, let onProgress {
                reported = percent
                onProgress(RowOrderProgress(fraction: Double(percent) / 100))
            }
        }
    }
}
