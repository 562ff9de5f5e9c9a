@testable import BlockNMF
import Foundation
import XCTest

/// The checks a fit makes before its first pass: memory against the machine's, and what it
/// writes against the free space of each file system.
final class FitFootprintTests: XCTestCase {
    private let gib = 1 << 30

    private func footprint(rows: Int = 10_000_000, columns: Int = 1000, rank: Int = 20, budget: Int,
                           checkpoints: Bool = false) throws -> (FitFootprint, StreamPlan) {
        let plan = try StreamPlan.make(rows: rows, columns: columns, elementBytes: 4, storedBytes: 4, chunkRows: nil,
                                       budget: MemoryBudget(bytes: budget), source: "v.h5:/X")
        let shape = FitFootprint.Shape(rows: rows, columns: columns, components: rank, elementBytes: 4, rowsPerTile: 256)
        return (try FitFootprint(shape, threads: 4, wInMemory: true, wCopies: 1, svd: false, denseDivergence: false,
                                 checkpoints: checkpoints, maxIterations: 200, plan: plan,
                                 budget: MemoryBudget(bytes: budget)), plan)
    }

    func testABudgetTheMachineCannotGiveIsRefusedWithOneThatFits() throws {
        let (fit, plan) = try footprint(budget: 8 * gib)
        XCTAssertEqual(plan.mode, .streamed)
        // V (40 GB) streams in four blocks that take nearly the whole budget; W is 1e7 × 20 float32.
        XCTAssertGreaterThan(fit.inputBytes, 7 * gib)
        XCTAssertNoThrow(try fit.checkMemory(rank: 20, budget: MemoryBudget(bytes: 8 * gib), machine: 64 * gib))
        XCTAssertThrowsError(try fit.checkMemory(rank: 20, budget: MemoryBudget(bytes: 8 * gib), machine: 4 * gib)) { error in
            guard case let ResourceError.budgetExceedsMachine(budget, input, factors, machine)? = error as? ResourceError else {
                return XCTFail("expected a budget beyond the machine, got \(error)")
            }
            XCTAssertEqual(budget, 8 * gib)
            XCTAssertEqual(input, fit.inputBytes)
            XCTAssertEqual(machine, 4 * gib)
            XCTAssertGreaterThanOrEqual(factors, 10_000_000 * 20 * 4, "W at least")
            let suggested = "\(error)".firstMatch(of: /use --memory ([0-9]+)MiB or less/).flatMap { Int($0.1) }
            XCTAssertNotNil(suggested, "\(error)")
            XCTAssertLessThanOrEqual((suggested ?? .max) << 20, 4 * gib - 10_000_000 * 20 * 4)
        }
    }

    func testARankTheMachineCannotHoldSaysWhatItNeeds() throws {
        let (fit, _) = try footprint(rows: 2000, columns: 300, rank: 50_000, budget: 64 << 20)
        let machine = 16 * gib
        XCTAssertThrowsError(try fit.checkMemory(rank: 50_000, budget: MemoryBudget(bytes: 64 << 20),
                                                 machine: machine)) { error in
            guard case let ResourceError.rankNeedsMoreMemory(rank, needed, largest, reported)? = error as? ResourceError else {
                return XCTFail("expected a rank too large for the machine, got \(error)")
            }
            XCTAssertEqual(rank, 50_000)
            XCTAssertEqual(reported, machine)
            XCTAssertGreaterThan(needed, 50_000 * 50_000 * 4, "more than one k×k matrix")
            XCTAssertLessThanOrEqual(largest.bytes, needed)
            XCTAssertTrue("\(error)".hasPrefix("rank 50000 needs about "), "\(error)")
        }
    }

    func testElementCountsThatOverflowAreRefused() {
        let shape = FitFootprint.Shape(rows: 1 << 40, columns: 10, components: 1 << 30, elementBytes: 8, rowsPerTile: 256)
        XCTAssertThrowsError(try shape.bytes(shape.rows, shape.components, shape.elementBytes)) { error in
            XCTAssertEqual(error as? ResourceError, .factorsTooLarge(rank: 1 << 30, rows: 1 << 40, columns: 10))
        }
    }

    /// Places on one file system add up: the second one's message names both needs.
    func testFreeSpaceIsCountedPerFileSystem() throws {
        let directory = FileManager.default.temporaryDirectory.path
        let free = try XCTUnwrap(FreeSpace.available(at: directory)).bytes
        let half = free / 2 + 1
        let targets = [
            FitFootprint.Target(name: "\(directory)/out.h5", directory: directory,
                                need: .init(what: "the result", bytes: half)),
            FitFootprint.Target(name: "\(directory)/fit.ckpt", directory: "\(directory)/fit.ckpt",
                                need: .init(what: "the checkpoint", bytes: half)),
        ]
        let (fit, _) = try footprint(rows: 2000, columns: 300, budget: 64 << 20)
        XCTAssertNoThrow(try fit.checkSpace(Array(targets.prefix(1))))
        XCTAssertThrowsError(try fit.checkSpace(targets)) { error in
            guard case let ResourceError.noSpace(path, needs, available)? = error as? ResourceError else {
                return XCTFail("expected no space, got \(error)")
            }
            XCTAssertEqual(path, "\(directory)/fit.ckpt", "the missing directory is measured on its parent's disk")
            XCTAssertEqual(needs.map(\.what), ["the checkpoint", "the result"])
            XCTAssertNotNil(available)
            XCTAssertTrue("\(error)".hasPrefix("no space left on device writing \(directory)/fit.ckpt: the checkpoint needs about"),
                          "\(error)")
        }
    }
}
