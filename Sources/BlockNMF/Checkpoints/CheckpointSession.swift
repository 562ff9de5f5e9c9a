import FileStorage
import Foundation
import NMFKernels

/// What a checkpointed factorization reports as it goes.
public enum CheckpointEvent: Sendable {
    /// The run took up a checkpoint. `skipped` names newer states that failed their checksums.
    case resumed(iteration: Int, rowsDone: Int, rows: Int, maxIterations: Int, directory: String, skipped: [String])
    /// A checkpoint was written: the iteration it holds, and what it cost.
    case saved(iteration: Int, rowsDone: Int, seconds: Double, bytes: Int)
}

/// What the checkpoints of a run cost, in its summary.
public struct CheckpointReport: Sendable, Codable, Equatable {
    public var directory: String
    /// The iteration the run resumed at, if it resumed.
    public var resumedAtIteration: Int?
    public var saves: Int
    /// Seconds spent writing checkpoints (flushing W's buffers, checksums, the state file).
    public var savingSeconds: Double
    /// Bytes of the last state file (W's buffers are written by the passes themselves).
    public var stateBytes: Int
}

/// One run's use of a checkpoint directory: resuming from it, writing W into its
/// buffers, saving the loop's state when due or when asked to stop, and cleaning up.
final class CheckpointSession<T: NMFScalar> {
    let directory: CheckpointDirectory
    let options: CheckpointOptions
    private let identity: [CheckpointRecord.Setting]
    private let stopRequest: StopRequest?
    private let timeLimit: Double?
    private let clock: Stopwatch
    private let onEvent: ((CheckpointEvent) -> Void)?
    private var buffers: WBufferPair<T>?
    private var summary: DataSummary?
    private var sequence = 0
    private var lastSave = (iteration: 0, seconds: 0.0)
    private(set) var secondsBefore = 0.0
    private(set) var report: CheckpointReport
    /// Whether the directory was there before this run (`abandon` leaves it then).
    private let directoryExisted: Bool
    /// This run made fresh buffers, and then saved a checkpoint: what `abandon` must keep.
    private var madeBuffers = false
    private var saved = false

    init(options: CheckpointOptions, identity: [CheckpointRecord.Setting], stopRequest: StopRequest?,
         timeLimit: Double?, clock: Stopwatch, onEvent: ((CheckpointEvent) -> Void)?) throws {
        directoryExisted = FileManager.default.fileExists(atPath: options.directory)
        directory = try CheckpointDirectory(path: options.directory)
        if options.restart { directory.removeCheckpoint() }
        self.options = options
        self.identity = identity
        self.stopRequest = stopRequest
        self.timeLimit = timeLimit
        self.clock = clock
        self.onEvent = onEvent
        report = CheckpointReport(directory: directory.path, saves: 0, savingSeconds: 0, stateBytes: 0)
    }

    /// Why the run must stop now, if it must.
    func stopReason() -> StopReason? {
        if let reason = stopRequest?.reason { return reason }
        if let timeLimit, clock.elapsedSeconds >= timeLimit { return .timeLimit(seconds: timeLimit) }
        return nil
    }

    struct Resumed {
        var state: LoopState<T>
        var summary: DataSummary
        var w: FactorRows<T>
    }

    /// The newest state whose checksums hold, with W restored; nil when the directory
    /// holds no checkpoint. A checkpoint of other input or configuration is refused.
    func resume(rows m: Int, columns n: Int, components k: Int, maxIterations: Int,
                wInMemory: Bool) throws -> Resumed? {
        let states = directory.stateNames()
        guard !states.isEmpty else { return nil }
        var problems: [String] = []
        for (_, name) in states {
            let record: CheckpointRecord
            do {
                switch CheckpointRecord.decode(try DurableFile.read(name, in: directory.files)) {
                case .success(let decoded): record = decoded
                case .failure(let problem):
                    problems.append("\(name): \(problem)")
                    continue
                }
            } catch {
                problems.append("\(name): \(error)")
                continue
            }
            let differences = Self.differences(saved: record.identity, current: identity)
            guard differences.isEmpty else {
                throw CheckpointError.mismatch(directory: directory.path, differences: differences)
            }
            guard record.rows == m, record.columns == n, record.components == k, let state = LoopState<T>(record) else {
                problems.append("\(name): its matrices do not have the shapes it records")
                continue
            }
            if record.iteration > maxIterations || (record.iteration == maxIterations && record.pass != nil) {
                throw CheckpointError.beyondIterationLimit(directory: directory.path, iteration: record.iteration,
                                                           maxIterations: maxIterations)
            }
            guard let checksum = UInt64(record.w.checksum, radix: 16),
                  let restored = try? restoreW(record.w, checksum: checksum, rows: m, components: k, inMemory: wInMemory)
            else {
                problems.append("\(name): W's buffers do not match its checksum")
                continue
            }
            sequence = record.sequence
            lastSave = (record.iteration, 0)
            secondsBefore = record.elapsedSeconds
            buffers = restored
            let summary = DataSummary(rows: m, columns: n, sum: record.dataSum.value,
                                      squaredNorm: record.dataSquaredNorm.value, firstZero: nil)
            self.summary = summary
            report.resumedAtIteration = record.iteration
            onEvent?(.resumed(iteration: record.iteration, rowsDone: record.w.rowsDone, rows: m,
                              maxIterations: maxIterations, directory: directory.path, skipped: problems))
            return Resumed(state: state, summary: summary, w: FactorRows(buffers: restored))
        }
        throw CheckpointError.damaged(directory: directory.path, problems: problems)
    }

    private func restoreW(_ saved: CheckpointRecord.SavedW, checksum: UInt64, rows m: Int, components k: Int,
                          inMemory: Bool) throws -> WBufferPair<T>? {
        guard [saved.doneBuffer, saved.pendingBuffer].allSatisfy({ $0 == 0 || $0 == 1 }),
              (0...m).contains(saved.rowsDone) else { return nil }
        let files = try (0..<2).map {
            try ScratchRowFile<T>(opening: CheckpointDirectory.bufferName($0), in: directory.files, rows: m, columns: k)
        }
        return try WBufferPair(
            restoring: .init(rowsDone: saved.rowsDone, doneBuffer: saved.doneBuffer,
                             pendingBuffer: saved.pendingBuffer, checksum: checksum),
            from: files, inMemory: inMemory)
    }

    /// Fresh buffers for W₀: `initial` when W is in memory (written through to the
    /// files), else empty files for the initialization to fill.
    func makeBuffers(rows m: Int, components k: Int, initial: Matrix<T>?) throws -> FactorRows<T> {
        directory.removeCheckpoint()
        let files = try (0..<2).map {
            try ScratchRowFile<T>(creating: CheckpointDirectory.bufferName($0), in: directory.files, rows: m, columns: k)
        }
        madeBuffers = true
        let pair = try WBufferPair(files: files, cache: initial)
        buffers = pair
        return FactorRows(buffers: pair)
    }

    /// The statistics of V's first pass, which a resumed run takes from the checkpoint.
    func begin(summary: DataSummary) { self.summary = summary }

    var loopCheckpoints: LoopCheckpoints<T> {
        LoopCheckpoints(
            directory: directory.path,
            stopReason: { [unowned self] in stopReason() },
            isDue: { [unowned self] iteration in
                switch options.interval {
                case .iterations(let count): iteration - lastSave.iteration >= count
                case .seconds(let seconds): clock.elapsedSeconds - lastSave.seconds >= seconds
                }
            },
            save: { [unowned self] state in try save(state) },
            savesFinalState: options.keep)
    }

    func save(_ state: LoopState<T>) throws {
        guard let buffers, let summary else { preconditionFailure("buffers and summary before the first save") }
        let start = clock.elapsedSeconds
        let rowsDone = state.pass?.rowsDone ?? 0
        let snapshot = try buffers.snapshot(rowsDone: rowsDone)
        CrashPoint.reach(.buffersFlushed)
        sequence += 1
        let record = CheckpointRecord(
            sequence: sequence, identity: identity, rows: buffers.rows, columns: state.h.columns,
            components: state.h.rows, iteration: state.iteration, converged: state.converged,
            elapsedSeconds: secondsBefore + start, dataSum: ExactDouble(summary.sum),
            dataSquaredNorm: ExactDouble(summary.squaredNorm), h: Data(state.h.elementBytes),
            lossHistory: state.lossHistory.map(ExactDouble.init), iterationEndSeconds: state.iterationEndSeconds,
            stopping: state.stopping.saved, pass: state.savedPass, extrapolation: state.extrapolation?.saved,
            w: .init(rowsDone: snapshot.rowsDone, doneBuffer: snapshot.doneBuffer,
                     pendingBuffer: snapshot.pendingBuffer,
                     checksum: String(snapshot.checksum, radix: 16)))
        let bytes = try directory.writeState(record)
        CrashPoint.reach(.stateCommitted)
        buffers.commit(snapshot)
        saved = true
        directory.pruneStates()
        let end = clock.elapsedSeconds
        lastSave = (state.iteration, end)
        report.saves += 1
        report.savingSeconds += end - start
        report.stateBytes = bytes
        onEvent?(.saved(iteration: state.iteration, rowsDone: rowsDone, seconds: end - start, bytes: bytes))
    }

    /// After a failure (a full disk, an input changed under the run): a run that made fresh
    /// buffers and has not saved a checkpoint yet removes them, and the directory if it made
    /// it, so nothing is left that looks like a checkpoint; otherwise the last checkpoint
    /// saved stays (a state file that failed to be written has removed itself).
    func abandon() {
        guard madeBuffers, !saved else { return }
        if directoryExisted { directory.removeCheckpoint() } else { directory.removeAll() }
    }

    /// After the output is in place: the checkpoint goes, unless it is kept (the loop
    /// then saved its final state).
    func finish() {
        if !options.keep { directory.removeAll() }
    }

    private static func differences(saved: [CheckpointRecord.Setting], current: [CheckpointRecord.Setting])
        -> [CheckpointError.Difference]
    {
        let savedValues = Dictionary(saved.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let currentValues = Dictionary(current.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var names = current.map(\.name)
        names += saved.map(\.name).filter { currentValues[$0] == nil }
        return names.compactMap { name in
            let (old, new) = (savedValues[name] ?? "(none)", currentValues[name] ?? "(none)")
            return old == new ? nil : .init(name: name, saved: old, current: new)
        }
    }
}
