import Dispatch
import Foundation
import NMFKernels

/// A pass's blocks read one ahead of the engine on a serial reader queue, the only
/// place the pass calls HDF5 from (it is not thread-safe), while the engine computes on
/// the blocks before. With a consumer that hands blocks back (`recycling`), at most
/// `StreamPlan.buffers` blocks exist at once: the reader waits for a permit before each
/// read, and the provider's `recycle` gives one back through `permits`.
enum ReadAhead {
    static func run<Element: NMFScalar>(
        _ ranges: [Range<Int>], on reader: DispatchQueue, recycling: Bool, permits holder: Locked<BufferPermits?>,
        read: @escaping @Sendable (Range<Int>) throws -> MatrixRows<Element>,
        _ body: (Int, MatrixRows<Element>) throws -> Void
    ) throws {
        let channel = BlockChannel<Element>(capacity: 1)
        let finished = DispatchSemaphore(value: 0)
        let permits = BufferPermits(StreamPlan.buffers)
        if recycling { holder.withLock { $0 = permits } }
        reader.async {
            defer { finished.signal() }
            for range in ranges {
                // Every block the consumer still holds is one of the budget's buffers.
                if recycling, !permits.acquire(unless: { channel.isCancelled }) { return }
                let block: MatrixRows<Element>
                do {
                    block = try read(range)
                } catch {
                    channel.fail(error)
                    return
                }
                guard channel.put(range.lowerBound, block) else { return }
            }
            channel.finish()
        }
        defer {
            channel.cancel()
            finished.wait()
            if recycling { holder.withLock { $0 = nil } }
        }
        while let (start, block) = try channel.next() {
            try body(start, block)
        }
    }
}

/// Blocks handed from the reader to the engine, at most `capacity` waiting.
final class BlockChannel<Element: NMFScalar>: @unchecked Sendable {
    private let condition = NSCondition()
    private let capacity: Int
    private var queue: [(Int, MatrixRows<Element>)] = []
    private var done = false
    private var cancelled = false
    private var failure: (any Error)?

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false when the consumer has gone.
    func put(_ start: Int, _ block: MatrixRows<Element>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        queue.append((start, block))
        condition.broadcast()
        return true
    }

    func finish() { update { $0.done = true } }
    func fail(_ error: any Error) { update { $0.failure = error; $0.done = true } }
    func cancel() { update { $0.cancelled = true } }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// The next block, nil at the end, or the reader's error.
    func next() throws -> (Int, MatrixRows<Element>)? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !done { condition.wait() }
        if !queue.isEmpty {
            let item = queue.removeFirst()
            condition.broadcast()
            return item
        }
        if let failure { throw failure }
        return nil
    }

    private func update(_ change: (BlockChannel) -> Void) {
        condition.lock()
        change(self)
        condition.broadcast()
        condition.unlock()
    }
}

/// A count of buffers a pass may still fill. (A dispatch semaphore cannot serve: it
/// may not be released with fewer permits than it started with, which is how a pass
/// that stops early leaves it.)
final class BufferPermits: @unchecked Sendable {
    private let condition = NSCondition()
    private var available: Int

    init(_ count: Int) { available = count }

    /// Waits for a permit; false if `stop` says to give up first.
    func acquire(unless stop: () -> Bool) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while available == 0 {
            if stop() { return false }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
        }
        available -= 1
        return true
    }

    func release() {
        condition.lock()
        available += 1
        condition.signal()
        condition.unlock()
    }
}

