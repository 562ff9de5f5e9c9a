import BlockNMF
import ComponentPictures
import Foundation
import HDF5Store
import NMFKernels

/// `blocknmf demo`: write the swimmer images to HDF5, factor them from several starts,
/// write the start with the lowest error through the same path as `blocknmf factor`
/// (drawing the learned parts as `--components-png` does), and count how many of the
/// 17 true parts were learned.
///
/// Why several starts: the images have rank 13 (each limb's four positions add up to the
/// torso) and 12 equal singular values, so NNDSVD's components 2–13 are a rotation of a
/// 12-dimensional eigenspace that rounding picks — each OpenBLAS kernel set picks another —
/// and components 14–17 come from the null space (NNDSVDar fills them with small random
/// values). From such a start, coordinate descent
/// learns all 17 parts about four times in five; otherwise it stops in a local minimum with
/// 16 (relative error 0.137) or, rarely, in an exact factorization that merges the torso into
/// one limb's positions. The lowest error of six starts does not hang on one start's luck.
public enum SwimmerDemo {
    /// Starts per demo seed.
    public static let startCount = 6

    /// One configuration per start: coordinate descent from NNDSVDar, k = 17, tol 1e-6, at
    /// most 200 iterations (starts that learn the parts mostly converge within 80; the limit
    /// bounds the time of those that crawl). Start r of demo seed s has seed 6·s + r, so no two
    /// demo seeds share a start.
    public static func startConfigurations(seed: UInt32 = 0) -> [NMFConfiguration] {
        (0..<startCount).map { start in
            NMFConfiguration(components: Swimmer.partCount, solver: .cd, initialization: .nndsvdar,
                             maxIterations: 200, tolerance: 1e-6,
                             seed: seed &* UInt32(startCount) &+ UInt32(start))
        }
    }

    /// Fits every start of `seed` on `images`, several at once (each fit's result does not
    /// depend on what else runs).
    public static func fitStarts(_ images: Matrix<Double>, seed: UInt32) throws -> [FittedNMF<Double>] {
        let configurations = startConfigurations(seed: seed)
        let outcomes = Locked([Result<FittedNMF<Double>, any Error>?](repeating: nil, count: configurations.count))
        DispatchQueue.concurrentPerform(iterations: configurations.count) { start in
            let outcome = Result { try NMF<Double>(configurations[start]).fit(images) }
            outcomes.withLock { $0[start] = outcome }
        }
        return try outcomes.withLock { $0 }.map { try $0!.get() }
    }

    /// The start kept: the lowest reconstruction error (the first of equals).
    public static func keptStart(errors: [Double]) -> Int {
        errors.indices.min { errors[$0] < errors[$1] } ?? 0
    }

    /// Each image, and so each learned component, as `factor --image-shape` names it.
    public static let imageShape = ImageShape(height: Swimmer.side, width: Swimmer.side)

    /// A component counts as a learned part when its correlation with the part
    /// reaches this.
    public static let recoveryThreshold = 0.9

    /// One start of the demo and where it ended.
    public struct Start: Sendable {
        public let configuration: NMFConfiguration
        /// ‖V − W·H‖_F.
        public let reconstructionError: Double
        /// ‖V − W·H‖_F / ‖V‖_F.
        public let relativeError: Double
    }

    public struct Summary: Sendable {
        public let dataPath: String
        public let starts: [Start]
        public let keptStart: Int
        /// Wall-clock seconds of all the starts together.
        public let startsSeconds: Double
        /// The kept start, fitted again by `Factorization.run` into the demo's files.
        public let factorization: FactorizationSummary
        /// Best correlation of each true part (torso first) with a learned component.
        public let bestCorrelations: [Double]
        public var recoveredParts: Int { bestCorrelations.filter { $0 >= recoveryThreshold }.count }
    }

    public static func run(directory: String, seed: UInt32 = 0,
                           onProgress: ((FactorizationProgress) -> Void)? = nil) throws -> Summary {
        let dataPath = "\(directory)/swimmer.h5"
        let images = Swimmer.images(as: Double.self)
        let data = try PendingOutput(path: dataPath)
        try data.file.write(dataset: "/X", shape: [images.rows, images.columns], elements: images.elements)
        let parts = Swimmer.parts(as: Double.self)
        try data.file.write(dataset: "/true_parts", shape: [parts.rows, parts.columns], elements: parts.elements)
        try data.commit()

        let clock = Stopwatch()
        let fits = try fitStarts(images, seed: seed)
        let startsSeconds = clock.elapsedSeconds
        let errors = fits.map(\.report.reconstructionError)
        let kept = keptStart(errors: errors)
        // The starts ran in memory, several at once (HDF5 allows one caller at a time); the
        // files come from `factor`'s own path, which gives the kept start's result again bit
        // for bit (the same engine on V in memory or read from the file).
        let request = FactorizationRequest(
            input: dataPath, dataset: "/X", output: "\(directory)/swimmer-nmf.h5",
            configuration: fits[kept].configuration, threads: 1,
            componentsImage: ComponentsImageRequest(path: "\(directory)/swimmer-parts.png", shape: imageShape))
        let summary = try Factorization.run(request, onProgress: onProgress)
        let result = try HDF5File.openReadOnly(summary.output)
        let (rows, columns, elements) = try result.readMatrix(dataset: "/H", as: Double.self)
        let components = Matrix(rows: rows, columns: columns, elements: elements)
        let dataNorm = images.elements.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return Summary(dataPath: dataPath,
                       starts: zip(fits, errors).map { Start(configuration: $0.configuration, reconstructionError: $1,
                                                             relativeError: RelativeError.of($1, dataNorm: dataNorm, loss: $0.configuration.loss) ?? .nan) },
                       keptStart: kept, startsSeconds: startsSeconds, factorization: summary,
                       bestCorrelations: Swimmer.bestCorrelations(components: components))
    }
}
