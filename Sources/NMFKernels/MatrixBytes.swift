/// A matrix as the bytes of its elements (row-major, this machine's layout), for
/// files that store it exactly, such as a checkpoint's state.
extension Matrix {
    public var elementBytes: [UInt8] {
        elements.withUnsafeBytes { Array($0) }
    }

    /// nil when `bytes` does not hold exactly `rows × columns` elements.
    public init?(rows: Int, columns: Int, elementBytes bytes: [UInt8]) {
        guard rows >= 0, columns >= 0, bytes.count == rows * columns * MemoryLayout<T>.stride else { return nil }
        let count = rows * columns
        let elements = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
        self.init(rows: rows, columns: columns, elements: elements)
    }
}
