import HDF5Store
import NMFKernels

/// `blocknmf demo`: write the swimmer images to HDF5, factor them through the same
/// path as `blocknmf factor` (drawing the learned parts as `--components-png` does),
/// and count how many of the 17 true parts were learned.
public enum SwimmerDemo {
    /// Coordinate descent from NNDSVDar recovers all 17 parts for seed 0 and at
    /// least 16 for each of seeds 1–10 (checked by the test suite).
    public static func defaultConfiguration(seed: UInt32 = 0) -> NMFConfiguration {
        NMFConfiguration(components: Swimmer.partCount, solver: .cd, initialization: .nndsvdar,
                         maxIterations: 1000, tolerance: 1e-6, seed: seed)
    }

    /// Each image, and so each learned component, as `factor --image-shape` names it.
    public static let imageShape = ImageShape(height: Swimmer.side, width: Swimmer.side)

    /// A component counts as a learned part when its correlation with the part
    /// reaches this.
    public static let recoveryThreshold = 0.9

    public struct Summary: Sendable {
        public let dataPath: String
        public let factorization: FactorizationSummary
        /// Best correlation of each true part (torso first) with a learned component.
        public let bestCorrelations: [Double]
        public var recoveredParts: Int { bestCorrelations.filter { $0 >= recoveryThreshold }.count }
    }

    public static func run(directory: String, configuration: NMFConfiguration,
                           onProgress: ((FactorizationProgress) -> Void)? = nil) throws -> Summary {
        let dataPath = "\(directory)/swimmer.h5"
        let images = Swimmer.images(as: Double.self)
        let data = try PendingOutput(path: dataPath)
        try data.file.write(dataset: "/X", shape: [images.rows, images.columns], elements: images.elements)
        let parts = Swimmer.parts(as: Double.self)
        try data.file.write(dataset: "/true_parts", shape: [parts.rows, parts.columns], elements: parts.elements)
        try data.commit()

        let request = FactorizationRequest(
            input: dataPath, dataset: "/X", output: "\(directory)/swimmer-nmf.h5", configuration: configuration,
            threads: 1, componentsImage: ComponentsImageRequest(path: "\(directory)/swimmer-parts.png", shape: imageShape))
        let summary = try Factorization.run(request, onProgress: onProgress)
        let result = try HDF5File.openReadOnly(summary.output)
        let (rows, columns, elements) = try result.readMatrix(dataset: "/H", as: Double.self)
        let components = Matrix(rows: rows, columns: columns, elements: elements)
        return Summary(dataPath: dataPath, factorization: summary,
                       bestCorrelations: Swimmer.bestCorrelations(components: components))
    }
}
