/// Row-compressed arrays of rows `rows`, filled by a stable counting sort: each value given
/// goes to its row's next free position, so each row keeps its values in the order they come.
///
/// Placing is scattered writes over the arrays, bound by the memory's latency: it is most of
/// what putting a matrix in row order costs. (Sharing the rows between two threads gained
/// under a tenth on two cores, so it is one thread.)
struct RowPlacement<Element: BitwiseCopyable> {
    private(set) var columns: [Int32]
    private(set) var values: [Element]
    private let firstRow: Int
    /// Where each row's next value goes, counted from the first row's start.
    private var next: [Int]

    /// `offsets`: where each row's values start in the whole matrix, and where the last ends.
    init(offsets: [Int], rows: Range<Int>, zero: Element) {
        let first = offsets[rows.lowerBound]
        let count = offsets[rows.upperBound] - first
        firstRow = rows.lowerBound
        next = offsets[rows].map { $0 - first }
        columns = [Int32](repeating: 0, count: count)
        values = [Element](repeating: zero, count: count)
    }

    /// Places value `i` of `given` in row `rowIndices[i]` (within `rows`), column `columnIndices[i]`.
    mutating func place(rowIndices: [Int32], columnIndices: [Int32], values given: [Element]) {
        let firstRow = firstRow
        // Unchecked: every row is within `rows`, and every position below its next row's start.
        columns.withUnsafeMutableBufferPointer { columns in
            values.withUnsafeMutableBufferPointer { values in
                next.withUnsafeMutableBufferPointer { next in
                    for index in rowIndices.indices {
                        let row = Int(rowIndices[index]) - firstRow
                        columns[next[row]] = columnIndices[index]
                        values[next[row]] = given[index]
                        next[row] += 1
                    }
                }
            }
        }
    }

    /// Places each record in its row, at its column.
    mutating func place(_ records: [SpillRecord<Element>]) {
        let firstRow = firstRow
        columns.withUnsafeMutableBufferPointer { columns in
            values.withUnsafeMutableBufferPointer { values in
                next.withUnsafeMutableBufferPointer { next in
                    for record in records {
                        let row = Int(record.row) - firstRow
                        columns[next[row]] = record.column
                        values[next[row]] = record.value
                        next[row] += 1
                    }
                }
            }
        }
    }
}
