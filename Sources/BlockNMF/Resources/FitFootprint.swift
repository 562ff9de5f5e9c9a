import FileStorage
import Foundation
import HDF5Store

/// What a fit will hold in memory besides V and write to disk, estimated from the shapes
/// before the first pass over V, so that a run the machine cannot carry fails before the
/// work rather than after it (or in the middle, with a backtrace).
struct FitFootprint {
    /// Memory beyond V's buffers, by what takes it.
    let memory: [ResourceError.MemoryPart]
    /// V's share of the budget: V itself when resident, its blocks in flight when streamed.
    let inputBytes: Int
    /// The result file: W, H, the loss history and the attributes.
    let outputBytes: Int
    /// W's scratch file(s), when W lives in one.
    let scratchBytes: Int
    /// The checkpoint directory: W's two buffers and the state files.
    let checkpointBytes: Int

    var factorBytes: Int { memory.reduce(0) { $0.saturating(plus: $1.bytes) } }

    struct Shape {
        var rows: Int
        var columns: Int
        var components: Int
        var elementBytes: Int
        var rowsPerTile: Int

        /// The product of `factors`, or `factorsTooLarge` when it cannot be addressed.
        func bytes(_ factors: Int...) throws(ResourceError) -> Int {
            var total = 1
            for factor in factors {
                let (product, overflow) = total.multipliedReportingOverflow(by: factor)
                guard !overflow else {
                    throw ResourceError.factorsTooLarge(rank: components, rows: rows, columns: columns)
                }
                total = product
            }
            return total
        }
    }

    /// Where W lives and how many copies of it the fit holds: in memory when asked, or (`auto`)
    /// when its copies take at most half the budget. A fit that may undo a pass
    /// (`keepsPreviousW`: a β-divergence fit that may stop early) keeps a copy of W through
    /// every evaluating pass — with checkpoints, in the buffer files instead.
    static func placeW(_ shape: Shape, storage: FactorStorage, keepsPreviousW: Bool, checkpoints: Bool,
                       budget: MemoryBudget) throws(ResourceError) -> (inMemory: Bool, copies: Int) {
        let copies = keepsPreviousW && !checkpoints ? 2 : 1
        let wBytes = try shape.bytes(shape.rows, shape.components, shape.elementBytes)
        let inMemory = storage == .memory || (storage == .auto && copies * wBytes <= budget.bytes / 2)
        return (inMemory, copies)
    }

    /// What the NNDSVD family's randomized SVD of V holds while it reads V: three m×(k+10)
    /// matrices (the product, its orthonormal basis, U) and two n×(k+10).
    static func svdBytes(_ shape: Shape) throws(ResourceError) -> Int {
        let width = shape.components.saturating(plus: 10)
        return try shape.bytes(shape.rows, width, shape.elementBytes).saturating(times: 3)
            .saturating(plus: try shape.bytes(shape.columns, width, shape.elementBytes).saturating(times: 2))
    }

    /// - Parameters:
    ///   - wCopies: W's copies (2 for a β-divergence fit that may undo a pass).
    ///   - svd: the NNDSVD family's randomized SVD will run.
    ///   - denseDivergence: a β-divergence whose tiles form W·H densely.
    ///   - sampleRows: rows of V's sample fitted in memory (`RowSample`), or 0.
    init(_ shape: Shape, threads: Int, wInMemory: Bool, wCopies: Int, svd: Bool, sampleRows: Int = 0,
         denseDivergence: Bool, checkpoints: Bool, maxIterations: Int, plan: StreamPlan,
         budget: MemoryBudget) throws(ResourceError) {
        let (m, n, k, s) = (shape.rows, shape.columns, shape.components, shape.elementBytes)
        let w = try shape.bytes(m, k, s), h = try shape.bytes(k, n, s), kk = try shape.bytes(k, k, s)
        // Tiles submitted but not combined (the reorder window, `TilePass`), each with its
        // k×n and k×k partials, its rows of W and of V·Hᵀ.
        let tilesInFlight = 4 * max(1, threads)
        let tileRows = try shape.bytes(shape.rowsPerTile, k, s) + (denseDivergence ? try shape.bytes(shape.rowsPerTile, n, s) : 0)
        let perTile = h.saturating(plus: kk.saturating(times: 2)).saturating(plus: tileRows.saturating(times: 2))
        var parts: [ResourceError.MemoryPart] = []
        if wInMemory { parts.append(.init(name: "W", bytes: w.saturating(times: wCopies))) }
        // H, Hᵀ, the new H and the pass's sum Wᵀ·V (a divergence's denominator too; a
        // checkpoint's record holds H and the sums again, encoded).
        let hCopies = 4 + (denseDivergence ? 1 : 0) + (checkpoints ? 3 : 0)
        parts.append(.init(name: "H and its sums", bytes: h.saturating(times: hCopies)))
        parts.append(.init(name: "the k×k products", bytes: kk.saturating(times: 4)))
        parts.append(.init(name: "the partial products of the tiles in flight",
                           bytes: perTile.saturating(times: tilesInFlight)))
        if svd { parts.append(.init(name: "NNDSVD's randomized SVD", bytes: try Self.svdBytes(shape))) }
        if sampleRows > 0 {
            parts.append(.init(name: "the row sample and its fit",
                               bytes: RowSample.memoryBytes(sampleRows: sampleRows, columns: n, components: k,
                                                            elementBytes: s)))
        }
        memory = parts
        let rowBytes = try shape.bytes(n, s)
        inputBytes = plan.mode == .resident ? min(budget.bytes / 2, rowBytes.saturating(times: m))
            : min(budget.bytes, rowBytes.saturating(times: StreamPlan.buffers * plan.blockRows))
        let history = 8 * (maxIterations + 1)
        outputBytes = w.saturating(plus: h).saturating(plus: history + (64 << 10))
        scratchBytes = !wInMemory && !checkpoints ? w.saturating(times: wCopies) : 0
        // A state file holds H, the pass's sums (k×n and k×k, base64 in JSON) and the histories;
        // a new one is written before the oldest of the two kept goes.
        let state = h.saturating(plus: kk).saturating(times: 3).saturating(plus: 3 * history + (64 << 10))
        checkpointBytes = checkpoints ? w.saturating(times: 2).saturating(plus: state.saturating(times: 3)) : 0
    }

    /// Throws when the factors alone, or with V's share of the budget, need more memory than
    /// the machine has (`MachineMemory`).
    func checkMemory(rank: Int, budget: MemoryBudget, machine: Int = MachineMemory.bytes) throws(ResourceError) {
        let needed = factorBytes
        if needed > machine, let largest = memory.max(by: { $0.bytes < $1.bytes }) {
            throw ResourceError.rankNeedsMoreMemory(rank: rank, needed: needed, largest: largest, machine: machine)
        }
        if needed.saturating(plus: inputBytes) > machine {
            throw ResourceError.budgetExceedsMachine(budget: budget.bytes, inputBytes: inputBytes, factorBytes: needed,
                                                     machine: machine)
        }
    }

    /// A place the run writes to, and what it will take there.
    struct Target {
        /// What an error names: the output file, or a directory.
        var name: String
        var directory: String
        var need: ResourceError.SpaceNeed
        /// Bytes already there that the run rewrites in place (a checkpoint resumed).
        var reused: Int = 0
    }

    /// The places this fit writes to: the result, W's scratch file, the checkpoint directory.
    func targets(output: String, scratchDirectory: String?, checkpointDirectory: String?) -> [Target] {
        let outputDirectory = FreeSpace.parentDirectory(of: output)
        var targets = [Target(name: output, directory: outputDirectory,
                              need: .init(what: "the result", bytes: outputBytes))]
        if scratchBytes > 0 {
            let directory = scratchDirectory ?? outputDirectory
            targets.append(Target(name: directory, directory: directory,
                                  need: .init(what: "W's scratch file", bytes: scratchBytes)))
        }
        if let checkpointDirectory, checkpointBytes > 0 {
            targets.append(Target(name: checkpointDirectory, directory: checkpointDirectory,
                                  need: .init(what: "the checkpoint", bytes: checkpointBytes),
                                  reused: FreeSpace.allocatedBytes(in: checkpointDirectory)))
        }
        return targets
    }

    /// Throws `noSpace` for the first place whose file system has less free space than
    /// what the run will write there (with the other places on the same file system).
    func checkSpace(_ targets: [Target]) throws(ResourceError) {
        var needsByDevice: [UInt64: [ResourceError.SpaceNeed]] = [:]
        for target in targets {
            guard let (device, available) = FreeSpace.available(at: target.directory) else { continue }
            let need = ResourceError.SpaceNeed(what: target.need.what, bytes: max(0, target.need.bytes - target.reused))
            let others = needsByDevice[device, default: []]
            needsByDevice[device] = others + [need]
            if others.reduce(need.bytes, { $0.saturating(plus: $1.bytes) }) > available {
                throw ResourceError.noSpace(path: target.name, needs: [need] + others, available: available)
            }
        }
    }
}

extension FitFootprint {
    /// A full disk met by a write, named as what needed the space: the result (written under
    /// a temporary name), W's scratch file or the checkpoints, with the estimate for it.
    static func explaining(_ error: any Error, targets: [Target], temporaryOutput: String) -> any Error {
        let path: String
        switch error {
        case HDF5StoreError.noSpace(let written), FileStorageError.noSpace(let written): path = written
        default: return error
        }
        let directory = FreeSpace.parentDirectory(of: path)
        let standardized = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        let target = path == temporaryOutput ? targets.first
            : targets.dropFirst().first { standardized($0.directory) == standardized(directory) }
        guard let target else { return error }
        return ResourceError.noSpace(path: target.name, needs: [target.need], available: nil)
    }
}

extension Int {
    /// Arithmetic on byte counts that clamps instead of trapping: an estimate too large to
    /// count is too large for any machine.
    fileprivate func saturating(times other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : product
    }

    fileprivate func saturating(plus other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
