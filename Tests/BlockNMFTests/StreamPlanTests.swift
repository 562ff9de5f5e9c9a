import BlockNMF
import XCTest

final class StreamPlanTests: XCTestCase {
    private let mib = 1 << 20

    private func plan(rows: Int = 100_000, columns: Int = 1000, chunkRows: Int? = nil, budget: Int,
                      override: Int? = nil) throws -> StreamPlan {
        try StreamPlan.make(rows: rows, columns: columns, elementBytes: 4, storedBytes: 4, chunkRows: chunkRows,
                            budget: MemoryBudget(bytes: budget), blockRowsOverride: override, source: "v.h5:/X")
    }

    func testSmallDataStaysResidentAndLargeDataStreams() throws {
        XCTAssertEqual(try plan(rows: 1000, budget: 64 * mib).mode, .resident)
        let streamed = try plan(budget: 64 * mib)
        XCTAssertEqual(streamed.mode, .streamed)
        // Four buffers of whole tiles within the budget.
        XCTAssertEqual(streamed.blockRows % 256, 0)
        XCTAssertLessThanOrEqual(StreamPlan.buffers * streamed.blockRows * 1000 * 4, 64 * mib)
        XCTAssertGreaterThan(StreamPlan.buffers * (streamed.blockRows + 256) * 1000 * 4, 64 * mib)
    }

    func testBlocksFollowChunkRowsWhenTheBudgetAllows() throws {
        let chunked = try plan(chunkRows: 1000, budget: 1024 * mib)
        XCTAssertEqual(chunked.blockRows % 32_000, 0, "a multiple of both 256 and 1000")
    }

    func testChunksTooTallForTheBudgetNameTheMemoryNeeded() {
        XCTAssertThrowsError(try plan(chunkRows: 50_000, budget: 64 * mib)) { error in
            guard case NMFError.budgetTooSmall(_, _, let needed, 50_000, 0) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertGreaterThan(needed, 2 * 50_000 * 1000 * 4)
            XCTAssertTrue("\(error)".contains("chunks span 50000 rows"), "\(error)")
        }
    }

    func testOverrideIsRoundedToWholeTilesAndStreams() throws {
        let forced = try plan(rows: 1000, budget: 64 * mib, override: 300)
        XCTAssertEqual(forced.mode, .streamed)
        XCTAssertEqual(forced.blockRows, 256)
    }

    func testEmptyDataIsAnErrorNotACrash() {
        XCTAssertThrowsError(try plan(rows: 0, budget: 64 * mib)) {
            XCTAssertEqual($0 as? NMFError, .emptyInput(source: "v.h5:/X", rows: 0, columns: 1000))
        }
        XCTAssertThrowsError(try plan(rows: 10, columns: 0, budget: 64 * mib))
    }

    func testFewWideRowsThatFitHalfTheBudgetStayResident() throws {
        // 100 rows of a million columns: 400 MB, too wide for 4 buffers of 256 rows, but resident.
        XCTAssertEqual(try plan(rows: 100, columns: 1_000_000, budget: 1024 * mib).mode, .resident)
    }

    func testUnfilteredChunksReserveNoCache() throws {
        let cached = try StreamPlan.make(rows: 1_000_000, columns: 1000, elementBytes: 4, storedBytes: 4,
                                         chunkRows: 1000, chunksCached: true, budget: MemoryBudget(bytes: 64 * mib),
                                         source: "v")
        let direct = try StreamPlan.make(rows: 1_000_000, columns: 1000, elementBytes: 4, storedBytes: 4,
                                         chunkRows: 1000, chunksCached: false, budget: MemoryBudget(bytes: 64 * mib),
                                         source: "v")
        XCTAssertGreaterThan(direct.blockRows, cached.blockRows)
    }

    /// Sparse tiles grow by powers of two until an average tile holds 32·n values, from 256
    /// rows up to 64·256; blocks of sparse V are whole such tiles.
    func testSparseTilesHoldSeveralValuesPerColumn() throws {
        XCTAssertEqual(TileSchedule.sparseRowsPerTile(rows: 1_000_000, columns: 20_000, nonZeros: 200_000_000), 4096)
        XCTAssertEqual(TileSchedule.sparseRowsPerTile(rows: 1100, columns: 60, nonZeros: 19_800), 256)
        XCTAssertEqual(TileSchedule.sparseRowsPerTile(rows: 5000, columns: 300, nonZeros: 15_000), 4096)
        XCTAssertEqual(TileSchedule.sparseRowsPerTile(rows: 1000, columns: 2000, nonZeros: 100_000), 1024)
        XCTAssertEqual(TileSchedule.sparseRowsPerTile(rows: 100, columns: 1_000_000, nonZeros: 100), 64 * 256)
        XCTAssertEqual(TileSchedule.sparseRowsPerTile(rows: 10, columns: 10, nonZeros: 0), 64 * 256)
        for override in [300, 1500, 5000] {
            let plan = try StreamPlan.sparse(rows: 100_000, columns: 20_000, nonZeros: 20_000_000, elementBytes: 4,
                                             budget: MemoryBudget(bytes: 1 << 30), blockRowsOverride: override,
                                             source: "test")
            XCTAssertEqual(plan.blockRows % 4096, 0, "\(override)")
        }
        let streamed = try StreamPlan.sparse(rows: 100_000, columns: 20_000, nonZeros: 20_000_000, elementBytes: 4,
                                             budget: MemoryBudget(bytes: 64 << 20), source: "test")
        XCTAssertEqual(streamed.mode, .streamed)
        XCTAssertEqual(streamed.blockRows % 4096, 0)
        // A sixteenth of the budget, up to 32 MiB of values and indices (8 bytes each here).
        XCTAssertEqual(streamed.valuesPerBlock, (64 << 20) / 16 / 8)
        let large = try StreamPlan.sparse(rows: 1_000_000, columns: 20_000, nonZeros: 200_000_000, elementBytes: 4,
                                          budget: MemoryBudget(bytes: 2 << 30), source: "test")
        XCTAssertEqual(large.valuesPerBlock, (32 << 20) / 8)
        XCTAssertEqual(large.blockRows, 5 * 4096)  // 200 values a row: 20 971 rows, in whole tiles
    }

    func testMemorySizesParse() {
        XCTAssertEqual(MemoryBudget(parsing: "2GiB")?.bytes, 2 << 30)
        XCTAssertEqual(MemoryBudget(parsing: "500MB")?.bytes, 500_000_000)
        XCTAssertEqual(MemoryBudget(parsing: "1.5G")?.bytes, 1_500_000_000)
        XCTAssertEqual(MemoryBudget(parsing: "4096")?.bytes, 4096)
        XCTAssertNil(MemoryBudget(parsing: "lots"))
        XCTAssertNil(MemoryBudget(parsing: "-1GiB"))
        XCTAssertNil(MemoryBudget(parsing: "1e20"))
    }
}
