import CHDF5

/// One filter of a dataset's pipeline (compression, shuffle, checksum), and whether this
/// process can apply it: a filter that is neither built into HDF5 nor found as a plugin
/// makes the dataset's chunks unreadable.
public struct DatasetFilter: Sendable, Equatable, Codable {
    /// The id HDF5 registers the filter under (1 deflate, 32000 lzf, …).
    public let id: Int
    /// The catalog's name for a known id, else the name the file stores, else "filter".
    public let name: String
    /// Whether HDF5 has the filter (built in, or a plugin it can load).
    public let isAvailable: Bool
    /// As `blocknmf info` lists it: "deflate(4)", "shuffle", "lzf(32000)".
    public let description: String

    init(id: Int, storedName: String, parameters: [UInt32]) {
        self.id = id
        let stored = storedName.split(separator: ";").first.map { String($0) } ?? ""
        name = FilterCatalog.entry(id: id)?.name ?? (stored.isEmpty ? "filter" : stored)
        isAvailable = FilterPlugins.isAvailable(id)
        switch id {
        case Int(H5Z_FILTER_DEFLATE): description = "deflate(\(parameters.first ?? 0))"
        case Int(H5Z_FILTER_SHUFFLE), Int(H5Z_FILTER_FLETCHER32), Int(H5Z_FILTER_SZIP), Int(H5Z_FILTER_NBIT),
             Int(H5Z_FILTER_SCALEOFFSET):
            description = name
        default: description = "\(name)(\(id))"
        }
    }

    /// "the HDF5 filter lzf (32000)", or for an id the catalog does not know "the HDF5 filter 511".
    public var phrase: String {
        FilterCatalog.entry(id: id) == nil
            ? "the HDF5 filter \(id)\(name == "filter" ? "" : " (\(name))")"
            : "the HDF5 filter \(name) (\(id))"
    }

    /// What to do so that HDF5 can load it, as one clause.
    public var remedy: String { FilterCatalog.remedy(for: self) }
}
