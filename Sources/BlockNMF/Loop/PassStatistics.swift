import NMFKernels

/// What a pass over V sums from its tiles: per-tile shares added in tile order, a
/// later range of rows' statistics added after an earlier one's, and one flat byte
/// encoding — the form a checkpoint stores a pass stopped part-way in and a reduction
/// sends to other processes.
///
/// Each kind of pass has its own type (the loop's steps, the validating scan, the final
/// error); nothing combines per-tile results but `add`.
protocol PassStatistics: Sendable {
    /// What one tile contributes.
    associatedtype TileShare: Sendable

    /// Adds the next tile's share (tiles come in order).
    mutating func add(_ share: TileShare)
    /// Adds the statistics of the rows that follow these.
    mutating func add(following later: Self)
    /// Appends every number, bit for bit, in a fixed order.
    func encode(into buffer: inout StatisticsBuffer)
    /// The statistics `reader` holds, laid out like `template` (same matrix shapes).
    init?(decoding reader: inout StatisticsReader, shapedLike template: Self)
}

extension PassStatistics {
    var encoded: [UInt8] {
        var buffer = StatisticsBuffer()
        encode(into: &buffer)
        return buffer.bytes
    }

    /// Nil unless `bytes` are exactly statistics laid out like `template`.
    init?(decoding bytes: [UInt8], shapedLike template: Self) {
        var reader = StatisticsReader(bytes)
        guard let decoded = Self(decoding: &reader, shapedLike: template), reader.isAtEnd else { return nil }
        self = decoded
    }
}

/// A flat encoding being written: matrices' elements and 64-bit numbers, little-endian.
struct StatisticsBuffer {
    private(set) var bytes: [UInt8] = []

    mutating func append<T: NMFScalar>(_ matrix: Matrix<T>) { bytes += matrix.elementBytes }

    mutating func append(_ value: Double) { append(bits: value.bitPattern) }

    mutating func append(_ value: Int) { append(bits: UInt64(bitPattern: Int64(value))) }

    private mutating func append(bits: UInt64) {
        for byte in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * byte))) }
    }
}

/// A flat encoding being read back in the order it was written.
struct StatisticsReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    /// A matrix of `template`'s shape.
    mutating func matrix<T: NMFScalar>(like template: Matrix<T>) -> Matrix<T>? {
        let count = template.elements.count * MemoryLayout<T>.stride
        guard bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return Matrix(rows: template.rows, columns: template.columns,
                      elementBytes: Array(bytes[offset..<(offset + count)]))
    }

    mutating func double() -> Double? { bits().map(Double.init(bitPattern:)) }

    mutating func integer() -> Int? { bits().map { Int(Int64(bitPattern: $0)) } }

    private mutating func bits() -> UInt64? {
        guard bytes.count - offset >= 8 else { return nil }
        defer { offset += 8 }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
}
