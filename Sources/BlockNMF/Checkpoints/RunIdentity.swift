import FileStorage
import Foundation
import HDF5Store
import NMFKernels

/// What a checkpoint must agree with to be resumed from: the input (path, dataset,
/// shape, type, file size and modification time, a checksum of sampled rows) and every
/// setting that changes the result. `--max-iter` is not among them: raising it
/// continues a run exactly as a longer uninterrupted run would go; threads, memory and
/// block size never change the result.
enum RunIdentity {
    static let sampledRows = 64

    static func settings<T: NMFScalar & HDF5Scalar>(
        request: FactorizationRequest, dataset: String, reader: some MatrixReader<T>, storedType: String,
        method: InitializationMethod
    ) throws -> [CheckpointRecord.Setting] {
        let status = try FileStatus(path: request.input)
        let configuration = request.configuration
        let regularization = configuration.regularization
        var settings: [(String, String)] = [
            ("input", URL(fileURLWithPath: request.input).resolvingSymlinksInPath().path),
            ("dataset", dataset),
            ("shape", "\(reader.rows)×\(reader.columns)"),
            ("stored type", storedType),
            ("file size", "\(status.size) bytes"),
            ("file modification time", "\(status.modificationNanoseconds) ns"),
            ("sampled rows checksum", try sampleChecksum(reader)),
            ("precision", T.precisionName),
            ("rank", "\(configuration.components)"),
            ("solver", configuration.solver.rawValue),
            ("init", method.rawValue),
            ("seed", "\(configuration.seed)"),
            ("tol", "\(configuration.tolerance)"),
            ("alpha-w", "\(regularization.alphaW)"),
            ("alpha-h", "\(regularization.alphaH)"),
            ("l1-ratio", "\(regularization.l1Ratio)"),
        ]
        if configuration.solver == .hals { settings.append(("inner-sweeps", "\(configuration.innerSweeps)")) }
        // Named only when not Frobenius, so checkpoints made before other losses existed still match.
        if !configuration.loss.isFrobenius { settings.append(("loss", configuration.loss.description)) }
        // The partition into tiles fixes the sums; named only for tall sparse tiles, so that a
        // checkpoint of sparse V cut into 256-row tiles (before tiles grew) is refused, not
        // resumed mid-pass at a row inside a tile, and checkpoints of dense V still match.
        if reader.rowsPerTile != TileSchedule.rowsPerTile { settings.append(("rows per tile", "\(reader.rowsPerTile)")) }
        // A float32 Frobenius pass sums its tiles in Double: named, so that a checkpoint made when
        // those sums were float32 is refused rather than resumed with sums of the other precision
        // (checkpoints of float64 fits and of other losses still match).
        if T.self == Float.self, configuration.loss.isFrobenius { settings.append(("pass sums", "float64")) }
        if let initialW = request.initialW { settings.append(("init-w", "\(initialW)")) }
        if let initialH = request.initialH { settings.append(("init-h", "\(initialH)")) }
        return settings.map { .init(name: $0.0, value: $0.1) }
    }

    /// Rows at the start, the middle and the end of V, as the reader delivers them.
    private static func sampleChecksum<T: NMFScalar & HDF5Scalar>(_ reader: some MatrixReader<T>) throws -> String {
        let m = reader.rows
        let starts = [0, max(0, m / 2 - sampledRows / 2), max(0, m - sampledRows)]
        var checksum = Checksum()
        for start in starts {
            checksum.add(try reader.readRows(start..<min(m, start + sampledRows)))
        }
        return checksum.hexadecimal
    }
}
