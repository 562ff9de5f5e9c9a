/// The `indptr` of a sparse group checked to describe its values: it starts at 0, ends at
/// the number of values and never decreases. `axis` names what it runs over ("row",
/// "column") in the error.
func checkedOffsets(_ pointers: [Int64], nonZeros: Int, axis: String,
                    invalid: (String) -> HDF5StoreError) throws -> [Int] {
    guard pointers.first == 0, pointers.last == Int64(nonZeros) else {
        throw invalid("indptr runs from \(pointers.first ?? 0) to \(pointers.last ?? 0), not from 0 to its \(nonZeros) values")
    }
    if let position = pointers.indices.dropLast().first(where: { pointers[$0] > pointers[$0 + 1] }) {
        throw invalid("indptr decreases after \(axis) \(position)")
    }
    return pointers.map { Int($0) }
}
