/// A matrix that can be read a block of whole rows at a time, so it never has to fit in memory.
///
/// Implementations are not thread-safe: one thread at a time reads from a source.
public protocol RowBlockSource {
    associatedtype Element

    var rows: Int { get }
    var columns: Int { get }

    /// Fills the first `range.count * columns` elements of `buffer` with rows `range`,
    /// row-major. `buffer.count` must be at least `range.count * columns`; elements past
    /// that are left untouched, so one buffer can serve blocks of different heights.
    func readRows(_ range: Range<Int>, into buffer: inout [Element]) throws
}
