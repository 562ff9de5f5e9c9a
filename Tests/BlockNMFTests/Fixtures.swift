import BlockNMF
import HDF5Store
import NMFKernels
import TestSupport
import XCTest

/// The scikit-learn and NumPy reference files under Tests/Fixtures, written by
/// tools/make_fixtures.py: one group per case, inputs beside expected outputs.
struct FixtureFile {
    let file: HDF5File

    init(_ name: String) throws {
        file = try HDF5File.openReadOnly(fixturePath(name))
    }

    var caseNames: [String] { get throws { try file.memberNames(of: "/", kind: .group) } }

    /// Runs `check` on every case group in the precision of its `dtype`; returns the case count.
    @discardableResult
    func forEachCase(_ check: (FixtureFile, String, any FixturePrecision.Type) throws -> Void) throws -> Int {
        let cases = try caseNames
        for name in cases {
            let group = "/\(name)"
            let float32 = try string("dtype", of: group) == "float32"
            try check(self, group, float32 ? Float.self : Double.self)
        }
        return cases.count
    }

    func matrix<T: NMFScalar & HDF5Scalar>(_ path: String, as _: T.Type = T.self) throws -> Matrix<T> {
        let (rows, columns, elements) = try file.readMatrix(dataset: path, as: T.self)
        return Matrix(rows: rows, columns: columns, elements: elements)
    }

    func array(_ path: String) throws -> [Double] {
        try file.readArray(dataset: path, as: Double.self).elements
    }

    func string(_ name: String, of group: String) throws -> String {
        guard case .string(let value) = try file.attribute(name, of: group) else {
            throw FixtureError.unexpectedAttribute(group: group, name: name)
        }
        return value
    }

    func integer(_ name: String, of group: String) throws -> Int {
        guard case .integer(let value) = try file.attribute(name, of: group) else {
            throw FixtureError.unexpectedAttribute(group: group, name: name)
        }
        return value
    }

    func double(_ name: String, of group: String) throws -> Double {
        switch try file.attribute(name, of: group) {
        case .double(let value): return value
        case .integer(let value): return Double(value)
        case .string: throw FixtureError.unexpectedAttribute(group: group, name: name)
        }
    }

    /// The case's alpha_W, alpha_H ("same" or a number) and l1_ratio.
    func regularization(of group: String) throws -> Regularization {
        let alphaH = try string("alpha_H", of: group)
        return Regularization(alphaW: try double("alpha_W", of: group),
                              alphaH: alphaH == "same" ? .same : .value(Double(alphaH)!),
                              l1Ratio: try double("l1_ratio", of: group))
    }
}

/// The element types the fixtures come in.
protocol FixturePrecision: NMFScalar, HDF5Scalar {}
extension Float: FixturePrecision {}
extension Double: FixturePrecision {}

enum FixtureError: Error {
    case unexpectedAttribute(group: String, name: String)
}

/// Tolerances of the parity tests: relative Frobenius difference to scikit-learn.
enum Parity {
    static func tolerance(forDtype dtype: String) -> Double { dtype == "float32" ? 1e-3 : 1e-6 }
}
