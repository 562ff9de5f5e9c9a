import HDF5Store

/// What `generate --layout anndata` writes besides the CSR group /X so that the file is an
/// AnnData file `anndata.read_h5ad` opens (anndata's on-disk format, as versions 0.8 and
/// later write it):
///
///     /         encoding-type anndata
///     /obs      a dataframe with no columns, its index `_index` the row names "0", "1", …
///     /var      likewise for the columns
///     /uns      a dict holding W_true and H_true
///
/// anndata makes every member of the root a field of the AnnData object, so W* and H* live in
/// `uns`, its dictionary of unstructured data.
enum AnnDataLayout {
    /// The group of W_true and H_true.
    static let factorGroup = "/uns"

    /// The writer of obs's index, one block of row names at a time.
    static func rowNames(file: HDF5File, rows: Int) throws -> TextColumnWriter {
        try TextColumnWriter(file: file, dataset: "/obs/_index", count: rows, width: String(max(rows - 1, 0)).count)
    }

    /// The names of rows `range`: their numbers, as anndata names rows it was given none for.
    static func names(_ range: Range<Int>) -> [String] { range.map(String.init) }

    /// Writes var's index and every encoding attribute, once /X, W_true, H_true and obs's
    /// index are written.
    static func finish(file: HDF5File, columns: Int, rowNames: TextColumnWriter) throws {
        try rowNames.close()
        let columnNames = try TextColumnWriter(file: file, dataset: "/var/_index", count: columns,
                                               width: String(max(columns - 1, 0)).count)
        try columnNames.write(0..<columns, names(0..<columns))
        try columnNames.close()

        try encode("/", as: "anndata", version: "0.1.0", in: file)
        for frame in ["/obs", "/var"] {
            try encode(frame, as: "dataframe", version: "0.2.0", in: file)
            try file.setAttribute("_index", .string("_index"), on: frame)
            try file.setAttribute("column-order", integers: [], on: frame)
            try encode(frame + "/_index", as: "string-array", version: "0.2.0", in: file)
        }
        try encode(factorGroup, as: "dict", version: "0.1.0", in: file)
        for factor in ["W_true", "H_true"] {
            try encode("\(factorGroup)/\(factor)", as: "array", version: "0.2.0", in: file)
        }
    }

    private static func encode(_ object: String, as type: String, version: String, in file: HDF5File) throws {
        try file.setAttribute("encoding-type", .string(type), on: object)
        try file.setAttribute("encoding-version", .string(version), on: object)
    }
}
