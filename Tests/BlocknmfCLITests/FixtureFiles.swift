import Foundation
import HDF5Store

/// An attribute of a fixture's case as command-line text.
func attributeText(_ file: HDF5File, _ name: String, of group: String) throws -> String {
    switch try file.attribute(name, of: group) {
    case .string(let text): text
    case .integer(let number): "\(number)"
    case .double(let number): "\(number)"
    }
}

/// ‖A − B‖_F / ‖B‖_F of two datasets read as float64 (infinite when their shapes differ).
func relativeDifference(_ file: HDF5File, _ dataset: String, _ reference: HDF5File,
                        _ referenceDataset: String) throws -> Double {
    let actual = try file.readMatrix(dataset: dataset, as: Double.self)
    let expected = try reference.readMatrix(dataset: referenceDataset, as: Double.self)
    guard actual.rows == expected.rows, actual.columns == expected.columns else { return .infinity }
    var difference = 0.0, norm = 0.0
    for (a, e) in zip(actual.elements, expected.elements) {
        difference += (a - e) * (a - e)
        norm += e * e
    }
    return (difference / norm).squareRoot()
}
