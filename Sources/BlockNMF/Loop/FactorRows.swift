import FileStorage
import NMFKernels

/// Where W lives during a fit: in memory, or in a scratch file read and written
/// a tile of rows at a time beside V when it does not fit the memory budget.
/// Either way the engine sees the same rows, so the result is the same.
final class FactorRows<T: NMFScalar>: @unchecked Sendable {
    private enum Storage {
        case memory(Matrix<T>)
        case scratch(ScratchRowFile<T>)
        case buffers(WBufferPair<T>)
    }

    let rows: Int
    let columns: Int
    private var storage: Storage
    /// W as the pass under way found it, kept by a pass that may be undone
    /// (in memory: a copy; in a scratch file: the file the pass reads, while it writes another).
    private var previous: Storage?
    /// The scratch file a keeping pass writes, reused by the next one.
    private var spareScratch: ScratchRowFile<T>?

    init(_ matrix: Matrix<T>) {
        rows = matrix.rows
        columns = matrix.columns
        storage = .memory(matrix)
    }

    /// W in memory, to be written whole before it is read (initial factors): no storage
    /// is taken until the first write, and a write of every row takes the rows as they are.
    init(unfilledRows rows: Int, columns: Int) {
        (self.rows, self.columns) = (rows, columns)
        storage = .memory(Matrix(rows: 0, columns: columns))
    }

    init(scratch file: ScratchRowFile<T>) {
        rows = file.rows
        columns = file.columns
        storage = .scratch(file)
    }

    init(buffers: WBufferPair<T>) {
        rows = buffers.rows
        columns = buffers.columns
        storage = .buffers(buffers)
    }

    /// The whole matrix, when it is in memory.
    var matrix: Matrix<T>? {
        switch storage {
        case .memory(let matrix): matrix
        case .buffers(let buffers): buffers.cache
        case .scratch: nil
        }
    }

    /// The checkpoint's buffers, when W lives in them.
    var buffers: WBufferPair<T>? {
        if case .buffers(let buffers) = storage { return buffers }
        return nil
    }

    /// Starts a pass. `keepingPrevious`: the pass may be undone (`undoPass`), so W as it
    /// stands is kept until `endPass` — a β-divergence pass that evaluates the loss of the
    /// factors it started from, which the stopping rule may choose as the result.
    /// `continuing`: a pass resumed part-way from a checkpoint.
    func beginPass(continuing: Bool, keepingPrevious: Bool) throws {
        switch storage {
        case .memory:
            // Copied on the pass's first write.
            if keepingPrevious { previous = storage }
        case .scratch(let file):
            if keepingPrevious {
                let next = try spareScratch ?? file.temporarySibling()
                spareScratch = nil
                previous = storage
                storage = .scratch(next)
            }
        case .buffers(let buffers):
            try buffers.beginPass(continuing: continuing, keepingPrevious: keepingPrevious)
        }
    }

    /// The pass's rows are W from now on.
    func endPass() {
        switch storage {
        case .memory: previous = nil
        case .scratch:
            if case .scratch(let file) = previous { spareScratch = file }
            previous = nil
        case .buffers(let buffers): buffers.endPass()
        }
    }

    /// W goes back to what it was before a pass begun with `keepingPrevious`.
    func undoPass() throws {
        switch storage {
        case .memory, .scratch:
            if case .scratch(let file) = storage { spareScratch = file }
            storage = previous!
            previous = nil
        case .buffers(let buffers): try buffers.undoPass()
        }
    }

    func read(_ range: Range<Int>) throws -> Matrix<T> {
        if case .scratch(let file) = previous {
            // A keeping pass reads W from the file it does not write.
            return Matrix(rows: range.count, columns: columns, elements: try file.read(rows: range))
        }
        switch storage {
        case .memory(let matrix):
            return matrix.rows(range)
        case .scratch(let file):
            return Matrix(rows: range.count, columns: columns, elements: try file.read(rows: range))
        case .buffers(let buffers):
            return try buffers.read(range)
        }
    }

    func write(_ block: Matrix<T>, at firstRow: Int) throws {
        switch storage {
        case .memory(var matrix):
            if firstRow == 0 && block.rows == rows {
                storage = .memory(block)
                return
            }
            // Release the stored copy first so the update happens in place.
            storage = .memory(Matrix(rows: 0, columns: 0))
            if matrix.rows != rows { matrix = Matrix(rows: rows, columns: columns) }
            matrix.replaceRows(startingAt: firstRow, with: block)
            storage = .memory(matrix)
        case .scratch(let file):
            try file.write(rows: firstRow, elements: block.elements)
        case .buffers(let buffers):
            try buffers.write(block, at: firstRow)
        }
    }

    /// Visits the rows in order, a block at a time (for writing the result).
    func forEachBlock(rows blockRows: Int, _ body: (Int, Matrix<T>) throws -> Void) throws {
        for start in stride(from: 0, to: rows, by: max(blockRows, 1)) {
            try body(start, try read(start..<min(start + blockRows, rows)))
        }
    }
}
