import FileStorage
import NMFKernels

/// W in a checkpoint's two buffer files (and in memory as well when it fits).
///
/// The buffers a committed checkpoint refers to are never written: a pass reads W
/// from the buffer that holds it and writes the new rows into the other one, or, once
/// that one is already a working copy no checkpoint refers to, into itself. A
/// checkpoint therefore never copies W, and a crash in mid-pass leaves the
/// checkpoint's copy as it was. With W in memory the files are written through, a
/// tile at a time, so they are ready when a checkpoint is due.
final class WBufferPair<T: NMFScalar>: @unchecked Sendable {
    let files: [ScratchRowFile<T>]
    let rows: Int
    let columns: Int
    private(set) var cache: Matrix<T>?
    /// The buffer that holds W as of the last completed pass (in a pass, the rows not yet redone).
    private var latest = 0
    /// The buffer this pass's new rows go to.
    private var writing = 0
    /// The buffers the last committed checkpoint refers to.
    private var committed: Set<Int> = []

    /// Which buffer holds which rows of a checkpoint's W, and their checksum.
    struct Snapshot: Sendable, Equatable {
        /// Rows before `rowsDone` are in `doneBuffer` (already updated by the pass under
        /// way); the rest are in `pendingBuffer`.
        var rowsDone: Int
        var doneBuffer: Int
        var pendingBuffer: Int
        var checksum: UInt64
    }

    /// Fresh buffers; the initial W is written into buffer 0 (and `cache`, when given).
    init(files: [ScratchRowFile<T>], cache: Matrix<T>?) throws {
        precondition(files.count == 2, "two buffers")
        self.files = files
        rows = files[0].rows
        columns = files[0].columns
        self.cache = cache
        if let cache {
            for start in stride(from: 0, to: rows, by: TileSchedule.rowsPerTile * 64) {
                let range = start..<min(start + TileSchedule.rowsPerTile * 64, rows)
                try files[0].write(rows: start, elements: cache.rows(range).elements)
            }
        }
    }

    /// The W of a checkpoint, verified against its checksum (nil when it does not
    /// match: the buffers were damaged or overwritten since). With `inMemory`, W is
    /// also loaded into memory.
    init?(restoring snapshot: Snapshot, from files: [ScratchRowFile<T>], inMemory: Bool) throws {
        self.files = files
        rows = files[0].rows
        columns = files[0].columns
        let (done, pending, split) = (snapshot.doneBuffer, snapshot.pendingBuffer, snapshot.rowsDone)
        var checksum = Checksum()
        if inMemory {
            var elements: [T] = []
            elements.reserveCapacity(rows * columns)
            for (buffer, range) in [(done, 0..<split), (pending, split..<rows)] {
                let part = try files[buffer].read(rows: range)
                checksum.add(part)
                elements.append(contentsOf: part)
            }
            cache = Matrix(rows: rows, columns: columns, elements: elements)
        } else {
            try files[done].addRows(0..<split, to: &checksum)
            try files[pending].addRows(split..<rows, to: &checksum)
        }
        guard checksum.value == snapshot.checksum else { return nil }

        latest = pending
        if split == 0 {
            committed = [pending]
            writing = pending
        } else if done != pending {
            // The pass goes on: rows ≥ split are read from `pending` and written after
            // the done rows; both buffers stay as the checkpoint has them until the next one.
            writing = done
            committed = [done, pending]
        } else {
            // The checkpoint's rows share one buffer: the pass goes on in the other,
            // starting from a copy of the done rows.
            writing = 1 - done
            try files[done].copyRows(0..<split, to: files[writing])
            committed = [done]
        }
    }

    func read(_ range: Range<Int>) throws -> Matrix<T> {
        if let cache { return cache.rows(range) }
        return Matrix(rows: range.count, columns: columns, elements: try files[latest].read(rows: range))
    }

    func write(_ block: Matrix<T>, at firstRow: Int) throws {
        if var matrix = cache {
            // Release the stored copy first so the update happens in place.
            cache = nil
            matrix.replaceRows(startingAt: firstRow, with: block)
            cache = matrix
        }
        try files[writing].write(rows: firstRow, elements: block.elements)
    }

    /// Chooses where a pass writes (`continuing`: a pass resumed part-way keeps the
    /// choice its restore made). A pass that may be undone writes the other buffer, so
    /// the one it reads stays whole; a restore of such a pass finds its rows split over
    /// the two buffers and goes on writing the done one, which keeps that too.
    func beginPass(continuing: Bool, keepingPrevious: Bool) throws {
        if !continuing { writing = keepingPrevious || committed.contains(latest) ? 1 - latest : latest }
        precondition(!keepingPrevious || writing != latest, "a pass that may be undone must not write W in place")
    }

    func endPass() { latest = writing }

    /// Forgets the pass's rows: W is `latest` again, in memory too.
    func undoPass() throws {
        writing = latest
        if cache != nil {
            cache = Matrix(rows: rows, columns: columns, elements: try files[latest].read(rows: 0..<rows))
        }
    }

    /// Flushes W's buffers to the device and describes them; `rowsDone` > 0 in mid-pass.
    func snapshot(rowsDone: Int) throws -> Snapshot {
        let done = rowsDone > 0 ? writing : latest
        for buffer in Set([done, latest]) { try files[buffer].synchronize() }
        var checksum = Checksum()
        if let cache {
            checksum.add(cache.elements)
        } else {
            try files[done].addRows(0..<rowsDone, to: &checksum)
            try files[latest].addRows(rowsDone..<rows, to: &checksum)
        }
        return Snapshot(rowsDone: rowsDone, doneBuffer: done, pendingBuffer: latest, checksum: checksum.value)
    }

    /// The snapshot's state file is durable: its buffers are not to be written again.
    func commit(_ snapshot: Snapshot) {
        committed = snapshot.rowsDone > 0 ? [snapshot.doneBuffer, snapshot.pendingBuffer] : [snapshot.pendingBuffer]
    }
}
