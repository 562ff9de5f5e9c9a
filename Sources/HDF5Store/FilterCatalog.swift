/// The HDF5 filters that files in the wild are compressed with, by the id HDF5 registers
/// them under, and where a missing one comes from.
///
/// HDF5 decompresses the filters it is built with itself (deflate, shuffle, fletcher32, szip,
/// nbit, scaleoffset); every other filter is a plugin library HDF5 loads from its plugin
/// search path (`FilterPlugins`). h5py writes LZF with its own copy of the filter, and
/// `hdf5plugin` (PyPI) brings Blosc, LZ4, Bitshuffle, Zstd and others to h5py: a file written
/// that way reads elsewhere only where a plugin for each of its filters is installed.
public enum FilterCatalog {
    /// Where a filter's plugin comes from.
    public enum Source: Sendable, Equatable {
        /// Part of the HDF5 library.
        case builtIn
        /// Debian packages that together provide a working plugin.
        case debian([String])
        /// No Debian package provides it; the `hdf5plugin` Python package ships one.
        case hdf5plugin
    }

    public struct Entry: Sendable, Equatable {
        public let id: Int
        public let name: String
        public let source: Source
    }

    public static let entries: [Entry] = [
        Entry(id: 1, name: "deflate", source: .builtIn),
        Entry(id: 2, name: "shuffle", source: .builtIn),
        Entry(id: 3, name: "fletcher32", source: .builtIn),
        Entry(id: 4, name: "szip", source: .builtIn),
        Entry(id: 5, name: "nbit", source: .builtIn),
        Entry(id: 6, name: "scaleoffset", source: .builtIn),
        Entry(id: 307, name: "bzip2", source: .debian(["hdf5-filter-plugin"])),
        // Debian's LZF plugin leaves liblzf's functions undefined without depending on the
        // library: it loads only when liblzf1 is installed too (FilterPlugins preloads it).
        Entry(id: 32000, name: "lzf", source: .debian(["hdf5-plugin-lzf", "liblzf1"])),
        Entry(id: 32001, name: "blosc", source: .debian(["hdf5-filter-plugin-blosc-serial"])),
        Entry(id: 32004, name: "lz4", source: .debian(["hdf5-filter-plugin"])),
        // Debian's hdf5-filter-plugin stopped building Bitshuffle (bug 1025391).
        Entry(id: 32008, name: "bitshuffle", source: .hdf5plugin),
        Entry(id: 32013, name: "zfp", source: .debian(["hdf5-filter-plugin-zfp-serial"])),
        Entry(id: 32015, name: "zstd", source: .hdf5plugin),
        Entry(id: 32017, name: "sz", source: .hdf5plugin),
        Entry(id: 32024, name: "sz3", source: .hdf5plugin),
        Entry(id: 32026, name: "blosc2", source: .hdf5plugin),
    ]

    public static func entry(id: Int) -> Entry? { entries.first { $0.id == id } }

    /// HDF5's list of registered filter ids, with where each filter's code lives.
    public static let registeredFiltersURL =
        "https://github.com/HDFGroup/hdf5_plugins/blob/master/docs/RegisteredFilterPlugins.md"

    /// What to do about a filter HDF5 cannot load, as one clause.
    static func remedy(for filter: DatasetFilter) -> String {
        let remedy = switch entry(id: filter.id)?.source {
        case .debian(let packages):
            "install Debian's \(packages.joined(separator: " and "))"
        case .hdf5plugin:
            "no Debian package provides it; pip install hdf5plugin and set HDF5_PLUGIN_PATH to the directory "
                + "that python3 -c 'import hdf5plugin; print(hdf5plugin.PLUGIN_PATH)' prints"
        case .builtIn:
            "this HDF5 library was built without it"
        case nil:
            "find its plugin in HDF5's list of registered filters (\(registeredFiltersURL)) "
                + "and put the plugin's directory in HDF5_PLUGIN_PATH"
        }
        return FilterPlugins.loadingDisabled ? "HDF5_PLUGIN_PRELOAD disables plugins; unset it (and \(remedy))" : remedy
    }
}
