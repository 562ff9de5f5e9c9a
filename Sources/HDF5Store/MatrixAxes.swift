/// What the rows and columns of a matrix in a file are, in the words of the convention the
/// file follows: an AnnData file's `X` has observations as rows and variables as columns, a
/// 10x file's matrix (read transposed) barcodes and features; anything else, samples and
/// features, as scikit-learn calls them.
public struct MatrixAxes: Sendable, Equatable, Codable {
    /// e.g. "observations (obs)".
    public let rows: String
    /// e.g. "variables (var)".
    public let columns: String

    public static let samples = MatrixAxes(rows: "samples", columns: "features")
    public static let observations = MatrixAxes(rows: "observations (obs)", columns: "variables (var)")
    public static let rawObservations = MatrixAxes(rows: "observations (obs)", columns: "raw variables (raw/var)")
    public static let variables = MatrixAxes(rows: "variables (var)", columns: "columns")
    public static let observationEmbedding = MatrixAxes(rows: "observations (obs)", columns: "columns")
    public static let cells = MatrixAxes(rows: "barcodes (cells)", columns: "features (genes)")
}

extension HDF5File {
    /// Whether the file is an AnnData file (`.h5ad`): its root says so (`encoding-type`
    /// anndata, since anndata 0.8), or it holds the `obs` and `var` that every version writes.
    public func isAnnData() throws -> Bool {
        if try hasAttribute("encoding-type"), case .string("anndata") = try attribute("encoding-type") { return true }
        return try kind(of: "/obs") != nil && kind(of: "/var") != nil
    }

    /// The axes of the matrix at `path` (a 2-D dataset or a sparse group), as it is read.
    public func axes(of path: String, sparse: SparseGroupInfo? = nil) throws -> MatrixAxes {
        if sparse?.convention == .tenX { return .cells }
        guard try isAnnData() else { return .samples }
        let components = HDF5File.absolute(path).split(separator: "/").map(String.init)
        switch (components.first, components.count) {
        case ("X", 1), ("layers", 2): return .observations
        case ("raw", 2) where components[1] == "X": return .rawObservations
        case ("raw.X", 1): return .rawObservations
        case ("obsm", 2), ("obsp", 2): return .observationEmbedding
        case ("varm", 2), ("varp", 2): return .variables
        default: return .samples
        }
    }
}
