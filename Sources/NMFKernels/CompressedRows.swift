/// Rows of a sparse matrix in compressed-row form: row i's values are
/// `values[offsets[i]..<offsets[i + 1]]`, at columns `columnIndices[…]` of the same range.
///
/// The rows are kept canonical — columns strictly increasing within a row — so that kernels
/// can read values in row-major order: rows given otherwise are sorted on the way in, and a
/// column that repeats holds the sum of its values in the order given (as scipy's `toarray`
/// adds them).
public final class CompressedRows<T: NMFScalar>: Sendable {
    public let rows: Int
    public let columns: Int
    public let offsets: [Int]
    public let columnIndices: [Int32]
    public let values: [T]

    public init(columns: Int, offsets: [Int], columnIndices: [Int32], values: [T]) {
        precondition(offsets.first == 0 && offsets.last == values.count && columnIndices.count == values.count,
                     "offsets must run from 0 to the number of values")
        rows = offsets.count - 1
        self.columns = columns
        if Self.isCanonical(offsets: offsets, columnIndices: columnIndices) {
            self.offsets = offsets
            self.columnIndices = columnIndices
            self.values = values
        } else {
            (self.offsets, self.columnIndices, self.values) = Self.canonical(offsets: offsets, columnIndices: columnIndices,
                                                                              values: values)
        }
    }

    /// Rows already canonical, taken as they are.
    private init(canonicalColumns columns: Int, offsets: [Int], columnIndices: [Int32], values: [T]) {
        rows = offsets.count - 1
        self.columns = columns
        self.offsets = offsets
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Rows `range` with `newValues` (one per value of the range, in order) in place of theirs.
    public func replacingValues(_ range: Range<Int>, with newValues: [T]) -> CompressedRows {
        let first = offsets[range.lowerBound], end = offsets[range.upperBound]
        precondition(newValues.count == end - first, "one value per stored value")
        return CompressedRows(canonicalColumns: columns, offsets: offsets[range.lowerBound...range.upperBound].map { $0 - first },
                              columnIndices: Array(columnIndices[first..<end]), values: newValues)
    }

    /// Whether every row's columns strictly increase. Rows are read again on every pass, so
    /// this counts descents over all values in one branch-free sweep, then takes back those
    /// between one row's last value and the next row's first, where no order is asked.
    private static func isCanonical(offsets: [Int], columnIndices: [Int32]) -> Bool {
        offsets.withUnsafeBufferPointer { offsets in
            columnIndices.withUnsafeBufferPointer { indices in
                guard let base = indices.baseAddress, indices.count > 1 else { return true }
                typealias Lanes = SIMD8<Int32>
                var laneDescents = Lanes()
                var position = 1
                while position &+ Lanes.scalarCount <= indices.count {
                    let current = UnsafeRawPointer(base + position).loadUnaligned(as: Lanes.self)
                    let previous = UnsafeRawPointer(base + (position &- 1)).loadUnaligned(as: Lanes.self)
                    laneDescents &+= Lanes().replacing(with: 1, where: current .<= previous)
                    position &+= Lanes.scalarCount
                }
                var descents = (0..<Lanes.scalarCount).reduce(0) { $0 + Int(laneDescents[$1]) }
                while position < indices.count {
                    descents += indices[position] <= indices[position - 1] ? 1 : 0
                    position += 1
                }
                var boundary = 0
                for start in offsets.dropFirst().dropLast() where start > boundary && start < indices.count {
                    descents -= indices[start] <= indices[start - 1] ? 1 : 0
                    boundary = start
                }
                return descents == 0
            }
        }
    }

    /// Each row sorted by column (stably), repeated columns summed in the order given.
    private static func canonical(offsets: [Int], columnIndices: [Int32], values: [T])
        -> (offsets: [Int], columnIndices: [Int32], values: [T])
    {
        var newOffsets = [0], newColumns: [Int32] = [], newValues: [T] = []
        newOffsets.reserveCapacity(offsets.count)
        newColumns.reserveCapacity(columnIndices.count)
        newValues.reserveCapacity(values.count)
        for row in 0..<(offsets.count - 1) {
            let order = (offsets[row]..<offsets[row + 1]).sorted {
                (columnIndices[$0], $0) < (columnIndices[$1], $1)
            }
            let rowStart = newColumns.count
            for position in order {
                if newColumns.count > rowStart && newColumns[newColumns.count - 1] == columnIndices[position] {
                    newValues[newValues.count - 1] += values[position]
                } else {
                    newColumns.append(columnIndices[position])
                    newValues.append(values[position])
                }
            }
            newOffsets.append(newColumns.count)
        }
        return (newOffsets, newColumns, newValues)
    }

    public var nonZeros: Int { values.count }

    /// Rows `range` as dense row-major elements, written over `dense`.
    @inlinable public func densify(_ range: Range<Int>, into dense: UnsafeMutableBufferPointer<T>) {
        precondition(dense.count >= range.count * columns, "buffer too small")
        dense.initialize(repeating: 0)
        columnIndices.withUnsafeBufferPointer { indices in
            values.withUnsafeBufferPointer { values in
                for (local, row) in range.enumerated() {
                    let base = local * columns
                    for position in offsets[row]..<offsets[row + 1] {
                        dense[base + Int(indices[position])] = values[position]
                    }
                }
            }
        }
    }

    /// (W·H) at the values of rows `range`, in value order: row r's values take W's row
    /// r − range.lowerBound (of `w`, b×k row-major) times the rows of `ht` (Hᵀ, n×k row-major)
    /// at their columns. scikit-learn's products "only where X is non-zero": nnz·k work.
    @inlinable public func sampledProducts(_ range: Range<Int>, w: UnsafePointer<T>, ht: UnsafePointer<T>,
                                           components k: Int, fused: Bool = vectorKernelsAvailable) -> [T] {
        let first = offsets[range.lowerBound], count = offsets[range.upperBound] - first
        return [T](unsafeUninitializedCapacity: count) { products, initialized in
            if fused, let base = products.baseAddress {
                fusedSampledProducts(range, w: w, ht: ht, components: k, into: base)
                initialized = count
                return
            }
            columnIndices.withUnsafeBufferPointer { indices in
                offsets.withUnsafeBufferPointer { offsets in
                    for (local, row) in range.enumerated() {
                        let wRow = w + local * k
                        for position in offsets[row]..<offsets[row + 1] {
                            products[position - first] = Self.dot(wRow, ht + Int(indices[position]) * k, count: k)
                        }
                    }
                }
            }
            initialized = count
        }
    }

    /// Σ a[i]·b[i] in four interleaved sums, so the additions need not wait on each other.
    @inlinable @inline(__always) static func dot(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count: Int) -> T {
        var (s0, s1, s2, s3) = (T.zero, T.zero, T.zero, T.zero)
        var index = 0
        while index + 4 <= count {
            s0 += a[index] * b[index]
            s1 += a[index + 1] * b[index + 1]
            s2 += a[index + 2] * b[index + 2]
            s3 += a[index + 3] * b[index + 3]
            index += 4
        }
        while index < count {
            s0 += a[index] * b[index]
            index += 1
        }
        return (s0 + s1) + (s2 + s3)
    }
}

extension CompressedRows {
    /// `result (b×q) ← alpha·A·Y + beta·result` for rows `range` of this matrix as A (b×n)
    /// and Y (n×q) given row-major with row stride `q`: each value adds a multiple of one
    /// row of Y, so the work is nnz·q.
    @inlinable func multiply(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T, beta: T,
                             into result: UnsafeMutablePointer<T>, fused: Bool = vectorKernelsAvailable) {
        scaleResult(result, count: range.count * q, beta: beta)
        if fused {
            return fusedMultiply(range, by: y, columns: q, alpha: alpha, into: result)
        }
        columnIndices.withUnsafeBufferPointer { indices in
            values.withUnsafeBufferPointer { values in
                forEachRowInColumnBands(range, rowBytes: q * MemoryLayout<T>.stride) { local, positions in
                    let target = result + local * q
                    var column = 0
                    if T.self == Float.self {
                        // Sixteen columns of the row at a time stay in registers while the row's
                        // values add to them (no store and reload per value); then four.
                        column = Self.gatherFloat(positions, indices: indices, values: values, alpha: alpha, y: y,
                                                  columns: q, into: target)
                    }
                    if column < q {
                        for position in positions {
                            Self.addMultiple(alpha * values[position], of: y + Int(indices[position]) * q + column,
                                             to: target + column, count: q - column)
                        }
                    }
                }
            }
        }
    }

    /// `target[c] += Σ alpha·v·y[column of v][c]` over the values at `positions`, for the
    /// columns c of whole groups of four (float32), each column's terms added in value order;
    /// returns the first column not done.
    @inlinable @inline(__always) static func gatherFloat(
        _ positions: Range<Int>, indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<T>, alpha: T,
        y: UnsafePointer<T>, columns q: Int, into target: UnsafeMutablePointer<T>
    ) -> Int {
        typealias Lanes = SIMD4<Float>
        let rowStride = q &* 4
        let (from, to) = (UnsafeRawPointer(y), UnsafeMutableRawPointer(target))
        let scale = unsafeBitCast(alpha, to: Float.self)
        var column = 0
        while column &+ 16 <= q {
            let offset = column &* 4
            var a0 = to.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            var a1 = to.loadUnaligned(fromByteOffset: offset &+ 16, as: Lanes.self)
            var a2 = to.loadUnaligned(fromByteOffset: offset &+ 32, as: Lanes.self)
            var a3 = to.loadUnaligned(fromByteOffset: offset &+ 48, as: Lanes.self)
            for position in positions {
                let factor = Lanes(repeating: scale * unsafeBitCast(values[position], to: Float.self))
                let source = from + (Int(indices[position]) &* rowStride &+ offset)
                a0 += factor * source.loadUnaligned(as: Lanes.self)
                a1 += factor * source.loadUnaligned(fromByteOffset: 16, as: Lanes.self)
                a2 += factor * source.loadUnaligned(fromByteOffset: 32, as: Lanes.self)
                a3 += factor * source.loadUnaligned(fromByteOffset: 48, as: Lanes.self)
            }
            to.storeBytes(of: a0, toByteOffset: offset, as: Lanes.self)
            to.storeBytes(of: a1, toByteOffset: offset &+ 16, as: Lanes.self)
            to.storeBytes(of: a2, toByteOffset: offset &+ 32, as: Lanes.self)
            to.storeBytes(of: a3, toByteOffset: offset &+ 48, as: Lanes.self)
            column &+= 16
        }
        while column &+ 4 <= q {
            let offset = column &* 4
            var a0 = to.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            for position in positions {
                let factor = Lanes(repeating: scale * unsafeBitCast(values[position], to: Float.self))
                a0 += factor * (from + (Int(indices[position]) &* rowStride &+ offset)).loadUnaligned(as: Lanes.self)
            }
            to.storeBytes(of: a0, toByteOffset: offset, as: Lanes.self)
            column &+= 4
        }
        return column
    }

    /// `result (n×q) ← alpha·Aᵀ·Y + beta·result` for rows `range` as A (b×n) and Y (b×q)
    /// row-major: each value adds a multiple of a row of Y to the row of its column.
    @inlinable func multiplyTransposed(_ range: Range<Int>, by y: UnsafePointer<T>, columns q: Int, alpha: T,
                                       beta: T, into result: UnsafeMutablePointer<T>,
                                       fused: Bool = vectorKernelsAvailable) {
        scaleResult(result, count: columns * q, beta: beta)
        if fused {
            return fusedMultiplyTransposed(range, by: y, columns: q, alpha: alpha, into: result)
        }
        columnIndices.withUnsafeBufferPointer { indices in
            values.withUnsafeBufferPointer { values in
                forEachRowInColumnBands(range, rowBytes: q * MemoryLayout<T>.stride) { local, positions in
                    let source = y + local * q
                    if T.self == Float.self && q <= 20 && q % 4 == 0 {
                        Self.scatterFloat(positions, indices: indices, values: values, alpha: alpha, source: source,
                                          columns: q, into: result)
                        return
                    }
                    for position in positions {
                        Self.addMultiple(alpha * values[position], of: source, to: result + Int(indices[position]) * q, count: q)
                    }
                }
            }
        }
    }

    /// `result[column of v] += alpha·v·source` for the values at `positions` (float32, q a
    /// multiple of four up to 20): the source row stays in registers.
    @inlinable @inline(__always) static func scatterFloat(
        _ positions: Range<Int>, indices: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<T>, alpha: T,
        source: UnsafePointer<T>, columns q: Int, into result: UnsafeMutablePointer<T>
    ) {
        typealias Lanes = SIMD4<Float>
        let vectors = q / 4
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(result)
        @inline(__always) func lane(_ index: Int) -> Lanes {
            index < vectors ? from.loadUnaligned(fromByteOffset: 16 &* index, as: Lanes.self) : Lanes()
        }
        let (s0, s1, s2, s3, s4) = (lane(0), lane(1), lane(2), lane(3), lane(4))
        let scale = unsafeBitCast(alpha, to: Float.self)
        for position in positions {
            let factor = Lanes(repeating: scale * unsafeBitCast(values[position], to: Float.self))
            let target = to + Int(indices[position]) &* (q &* 4)
            @inline(__always) func update(_ index: Int, _ lane: Lanes) {
                let sum = target.loadUnaligned(fromByteOffset: 16 &* index, as: Lanes.self) + factor * lane
                target.storeBytes(of: sum, toByteOffset: 16 &* index, as: Lanes.self)
            }
            switch vectors {
            case 5: update(0, s0); update(1, s1); update(2, s2); update(3, s3); update(4, s4)
            case 4: update(0, s0); update(1, s1); update(2, s2); update(3, s3)
            case 3: update(0, s0); update(1, s1); update(2, s2)
            case 2: update(0, s0); update(1, s1)
            default: update(0, s0)
            }
        }
    }

    /// Visits rows `range` (local row, positions of its values) one band of columns at a time —
    /// within a band row by row, each row's values in column order — so that the rows of a
    /// dense operand indexed by column (`rowBytes` each) that a band reaches stay in the core's
    /// cache, instead of all n of them. Each row's values come in the order they would without
    /// bands (rows are canonical), and each column's too: the sums are the same.
    @inlinable @inline(__always) func forEachRowInColumnBands(
        _ range: Range<Int>, rowBytes: Int, _ body: (_ local: Int, _ positions: Range<Int>) -> Void
    ) {
        let bandWidth = max(1, Self.bandBytes / max(rowBytes, 1))
        columnIndices.withUnsafeBufferPointer { indices in
            offsets.withUnsafeBufferPointer { offsets in
                guard bandWidth < columns else {
                    for local in 0..<range.count {
                        body(local, offsets[range.lowerBound + local]..<offsets[range.lowerBound + local + 1])
                    }
                    return
                }
                var cursors = Array(offsets[range.lowerBound..<range.upperBound])
                cursors.withUnsafeMutableBufferPointer { cursors in
                    for bandEnd in stride(from: bandWidth, to: columns + bandWidth, by: bandWidth) {
                        let limit = Int32(clamping: bandEnd)
                        for local in 0..<range.count {
                            let start = cursors[local], end = offsets[range.lowerBound + local + 1]
                            var position = start
                            while position < end && indices[position] < limit { position += 1 }
                            if position > start { body(local, start..<position) }
                            cursors[local] = position
                        }
                    }
                }
            }
        }
    }

    /// Bytes of a dense operand's rows one band of columns reaches: a quarter of a typical
    /// L2 cache, leaving room for the rows on the other side.
    @inlinable static var bandBytes: Int { 256 << 10 }

    /// target[0..<count] += factor · source[0..<count]. In float32, four at a time as one
    /// vector operation, so k = 20 is five of them with no scalar remainder.
    @inlinable @inline(__always) static func addMultiple(_ factor: T, of source: UnsafePointer<T>,
                                                         to target: UnsafeMutablePointer<T>, count: Int) {
        var index = 0
        if T.self == Float.self {
            let (from, to) = (UnsafeRawPointer(source), UnsafeMutableRawPointer(target))
            let multiple = SIMD4<Float>(repeating: unsafeBitCast(factor, to: Float.self))
            while index &+ 4 <= count {
                let offset = index &* 4
                let sum = to.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
                    + multiple * from.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
                to.storeBytes(of: sum, toByteOffset: offset, as: SIMD4<Float>.self)
                index &+= 4
            }
        }
        while index < count {
            target[index] += factor * source[index]
            index += 1
        }
    }

    @inlinable func scaleResult(_ result: UnsafeMutablePointer<T>, count: Int, beta: T) {
        if beta == 0 {
            result.update(repeating: 0, count: count)
        } else if beta != 1 {
            for index in 0..<count { result[index] *= beta }
        }
    }
}

extension CompressedRows {
    /// `MatrixRows.statistics` of rows `range` read from the values: the same sums in the
    /// same order as over the dense rows (the zeros between values add nothing), offsets
    /// counted from the range's first row in row-major order.
    @inlinable func statistics(_ range: Range<Int>)
        -> (sum: Double, squares: Double, firstZero: Int?, firstInvalid: (offset: Int, value: Double)?)
    {
        var sum = 0.0, squares = 0.0
        var firstZero: Int?
        for (local, row) in range.enumerated() {
            let base = local * columns
            // The first column the row leaves out: where the stored columns stop counting 0, 1, 2, …
            var zeroColumn = columns
            for position in offsets[row]..<offsets[row + 1] {
                let column = Int(columnIndices[position]), value = Double(values[position])
                if zeroColumn == columns && column != position - offsets[row] { zeroColumn = position - offsets[row] }
                if !(value > 0 && value.isFinite) {
                    if value == 0 {
                        zeroColumn = min(zeroColumn, column)
                        continue
                    }
                    if firstZero == nil && zeroColumn < column { firstZero = base + zeroColumn }
                    return (sum, squares, firstZero, (base + column, value))
                }
                sum += value
                squares += value * value
            }
            if zeroColumn == columns && offsets[row + 1] - offsets[row] < columns {
                zeroColumn = offsets[row + 1] - offsets[row]
            }
            if firstZero == nil && zeroColumn < columns { firstZero = base + zeroColumn }
        }
        return (sum, squares, firstZero, nil)
    }
}
