import HDF5Store
import NMFKernels

/// A fitted model as `factor` leaves it in its result file (`FactorizationFile`): the
/// components at /H and, among the root attributes, the parameters `transform` solves
/// with — `solver`, `max_iter`, `tol`, `alpha_W`, `l1_ratio` (`alpha_H` when present;
/// `inner_sweeps` for `hals`). A file made another way is a model when it holds these.
struct ModelFile {
    let path: String
    /// H (k×n), read in float64: exact for float32 files, and converted once to the
    /// working precision as HDF5 would convert it.
    let components: Matrix<Double>
    /// The model's parameters; `components` is k.
    let configuration: NMFConfiguration

    /// Reads H and the parameters, and checks both.
    init(path: String) throws {
        let (file, components) = try Self.readComponents(path)
        self.path = path
        self.components = components
        configuration = try ModelParameters(file: file, path: path).configuration(components: components.rows)
    }

    /// Reads H alone, which is all `inverse-transform` needs.
    static func components(at path: String) throws -> Matrix<Double> {
        try readComponents(path).components
    }

    private static func readComponents(_ path: String) throws -> (file: HDF5File, components: Matrix<Double>) {
        let file = try HDF5File.openReadOnly(path)
        let (rows, columns, elements) = try file.readMatrix(dataset: "/H", as: Double.self)
        for (offset, value) in elements.enumerated() where !(value >= 0 && value.isFinite) {
            throw ModelError.invalidComponents(model: path, row: offset / columns, column: offset % columns,
                                               value: value)
        }
        return (file, Matrix(rows: rows, columns: columns, elements: elements))
    }
}

/// The root attributes of a model file, read with the names and types `FactorizationFile`
/// writes; an integer stored as a float (as some writers do) is accepted when whole.
private struct ModelParameters {
    let file: HDF5File
    let path: String

    func configuration(components: Int) throws -> NMFConfiguration {
        if let stored = try optional("n_components").map({ try integer("n_components", $0) }), stored != components {
            throw ModelError.invalidParameter(model: path, name: "n_components", value: "\(stored)",
                                              requirement: "must be the \(components) rows of /H")
        }
        let loss = try optional("beta_loss").map { value in
            let text = try string("beta_loss", value)
            guard let loss = BetaLoss(parsing: text) else {
                throw ModelError.invalidParameter(
                    model: path, name: "beta_loss", value: text,
                    requirement: "must be frobenius, kullback-leibler, itakura-saito or a number")
            }
            return loss
        } ?? .frobenius
        let solverName = try string("solver", try required("solver"))
        guard let solver = Solver(rawValue: solverName) else {
            throw ModelError.invalidParameter(model: path, name: "solver", value: solverName,
                                              requirement: "must be one of " + Solver.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let maxIterations = try integer("max_iter", try required("max_iter"))
        let tolerance = try double("tol", try required("tol"))
        let alphaW = try double("alpha_W", try required("alpha_W"))
        let l1Ratio = try double("l1_ratio", try required("l1_ratio"))
        let alphaH: AlphaH = try optional("alpha_H").map { try self.alphaH($0) } ?? .same
        let innerSweeps = solver == .hals
            ? try integer("inner_sweeps", try required("inner_sweeps")) : NMFConfiguration.defaultInnerSweeps
        let configuration = NMFConfiguration(
            components: components, solver: solver, maxIterations: maxIterations, tolerance: tolerance,
            regularization: Regularization(alphaW: alphaW, alphaH: alphaH, l1Ratio: l1Ratio),
            innerSweeps: innerSweeps, loss: loss)
        // The rules `factor`'s options follow, told in the model's attribute names.
        if let violation = configuration.firstViolation() {
            throw ModelError.invalidParameter(model: path, name: violation.parameter.attribute, value: violation.value,
                                              requirement: violation.rule.modelRequirement)
        }
        return configuration
    }

    private func required(_ name: String) throws -> AttributeValue {
        guard let value = try optional(name) else { throw ModelError.missingParameter(model: path, name: name) }
        return value
    }

    private func optional(_ name: String) throws -> AttributeValue? {
        do {
            return try file.attribute(name)
        } catch HDF5StoreError.attributeNotFound {
            return nil
        }
    }

    private func string(_ name: String, _ value: AttributeValue) throws -> String {
        guard case .string(let text) = value else { throw wrongType(name, value, "a string") }
        return text
    }

    private func integer(_ name: String, _ value: AttributeValue) throws -> Int {
        switch value {
        case .integer(let number): return number
        case .double(let number) where number == number.rounded() && abs(number) < 1e15: return Int(number)
        default: throw wrongType(name, value, "a whole number")
        }
    }

    private func double(_ name: String, _ value: AttributeValue) throws -> Double {
        switch value {
        case .double(let number): return number
        case .integer(let number): return Double(number)
        case .string: throw wrongType(name, value, "a number")
        }
    }

    /// `same`, or a number (stored as a string by `factor`, so that `same` fits too).
    private func alphaH(_ value: AttributeValue) throws -> AlphaH {
        switch value {
        case .string("same"): return .same
        case .string(let text):
            guard let number = Double(text) else { throw wrongType("alpha_H", value, "'same' or a number") }
            return .value(number)
        case .double(let number): return .value(number)
        case .integer(let number): return .value(Double(number))
        }
    }

    private func wrongType(_ name: String, _ value: AttributeValue, _ expected: String) -> ModelError {
        .invalidParameter(model: path, name: name, value: value.description, requirement: "must be \(expected)")
    }
}

/// A model file that cannot be used, or data that does not fit the model.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case missingParameter(model: String, name: String)
    case invalidParameter(model: String, name: String, value: String, requirement: String)
    case invalidComponents(model: String, row: Int, column: Int, value: Double)
    /// The data's columns are not the features H was fitted on.
    case featureMismatch(data: String, columns: Int, model: String, components: Int, features: Int)
    /// W's columns are not H's components.
    case componentMismatch(data: String, columns: Int, model: String, components: Int, features: Int)

    public var description: String {
        switch self {
        case let .missingParameter(model, name):
            return "model \(model) has no attribute '\(name)'; a model is a result file of blocknmf factor"
        case let .invalidParameter(model, name, value, requirement):
            return "model \(model): attribute '\(name)' is \(value); it \(requirement)"
        case let .invalidComponents(model, row, column, value):
            return "model \(model):/H has \(value) at row \(row), column \(column); components must be finite and non-negative"
        case let .featureMismatch(data, columns, model, components, features):
            return "\(data) has \(columns) columns but the model \(model) has \(features) features (H is \(components)×\(features)); "
                + "transform needs rows of the features the model was fitted on"
        case let .componentMismatch(data, columns, model, components, features):
            return "\(data) has \(columns) columns but the model \(model) has \(components) components (H is \(components)×\(features)); "
                + "inverse-transform needs W with one column per component"
        }
    }
}
