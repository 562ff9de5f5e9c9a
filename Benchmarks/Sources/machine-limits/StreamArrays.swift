/// Three Double arrays for STREAM-style kernels, split into one contiguous slice per worker.
///
/// Raw storage because workers write disjoint slices of the same arrays at once, which
/// Swift arrays do not allow; every access stays inside this type, and callers hand each
/// worker its own `slice`, which is what makes sharing it between threads sound.
final class StreamArrays: @unchecked Sendable {
    let count: Int
    private let a: UnsafeMutableBufferPointer<Double>
    private let b: UnsafeMutableBufferPointer<Double>
    private let c: UnsafeMutableBufferPointer<Double>

    init(count: Int) {
        self.count = count
        a = .allocate(capacity: count)
        b = .allocate(capacity: count)
        c = .allocate(capacity: count)
    }

    deinit {
        a.deallocate()
        b.deallocate()
        c.deallocate()
    }

    func slice(_ worker: Int, of workers: Int) -> Range<Int> {
        let start = count * worker / workers
        return start..<(count * (worker + 1) / workers)
    }

    /// Each worker first touches the pages it will stream, so the kernel pays no page faults.
    func fill(_ range: Range<Int>) {
        for index in range {
            a[index] = 1
            b[index] = 2
            c[index] = 0
        }
    }

    func run(_ kernel: StreamKernel, _ range: Range<Int>) {
        switch kernel {
        case .copy:
            for index in range { c[index] = a[index] }
        case .triad:
            let scalar = 3.0
            for index in range { a[index] = b[index] + scalar * c[index] }
        }
    }

    /// A value that depends on every write, so the kernels cannot be discarded.
    var checksum: Double { a[count / 2] + c[count - 1] }
}

enum StreamKernel: CaseIterable, Sendable {
    /// c ← a
    case copy
    /// a ← b + s·c
    case triad

    var formula: String { self == .copy ? "copy   c = a" : "triad  a = b + s·c" }

    /// Bytes read and written per element, as STREAM counts them.
    var bytesPerElement: Int { self == .copy ? 16 : 24 }
}
