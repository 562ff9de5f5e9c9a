import CHDF5
#if canImport(Glibc)
import Glibc
#endif

/// Where HDF5 looks for filter plugins, and whether it has a filter.
///
/// HDF5 searches the directories of `HDF5_PLUGIN_PATH` (colon-separated) when it is set, and
/// otherwise a directory fixed when the library was built — Debian's own plugin directory
/// for Debian's library, where the packages `hdf5-plugin-lzf`, `hdf5-filter-plugin` and
/// `hdf5-filter-plugin-blosc-serial` install their plugins. A user's `HDF5_PLUGIN_PATH`
/// would hide that directory; BlockNMF searches it after the user's directories, so both
/// kinds of plugin are found.
enum FilterPlugins {
    /// Debian's plugin directory for the serial HDF5 library on this architecture.
    static let debianDirectory: String? = {
        #if arch(x86_64)
        "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins"
        #elseif arch(arm64)
        "/usr/lib/aarch64-linux-gnu/hdf5/serial/plugins"
        #else
        nil
        #endif
    }()

    /// Runs once, from the library's preparation, before any other HDF5 call of this module:
    /// calls here go straight to the C library and clear any error they leave.
    static func prepare() {
        // Debian's LZF plugin (hdf5-plugin-lzf) calls lzf_compress and lzf_decompress but is
        // not linked to liblzf, so loading it fails unless those symbols are already global.
        _ = dlopen("liblzf.so.1", RTLD_NOW | RTLD_GLOBAL)
        if let directory = debianDirectory, access(directory, R_OK | X_OK) == 0,
           !searchPath().contains(directory)
        {
            if H5PLappend(directory) < 0 { H5Eclear2(chdf5_e_default()) }
        }
    }

    /// The directories HDF5 searches for plugins, in order.
    static func searchPath() -> [String] {
        var count: UInt32 = 0
        guard H5PLsize(&count) >= 0 else {
            H5Eclear2(chdf5_e_default())
            return []
        }
        return (0..<count).compactMap { index in
            let length = H5PLget(index, nil, 0)
            guard length >= 0 else {
                H5Eclear2(chdf5_e_default())
                return nil
            }
            var buffer = [CChar](repeating: 0, count: length + 1)
            guard H5PLget(index, &buffer, buffer.count) >= 0 else {
                H5Eclear2(chdf5_e_default())
                return nil
            }
            return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Whether HDF5 has filter `id`, built in or as a plugin it can find and load (asking
    /// loads the plugin).
    static func isAvailable(_ id: Int) -> Bool {
        guard let filter = H5Z_filter_t(exactly: id) else { return false }
        return hdf5Query { H5Zfilter_avail(filter) }.map { $0 > 0 } ?? false
    }

    /// Whether `HDF5_PLUGIN_PRELOAD` (set to "::") keeps HDF5 from loading filter plugins.
    static var loadingDisabled: Bool {
        var mask: UInt32 = 0
        guard hdf5Query({ H5PLget_loading_state(&mask) }) != nil else { return false }
        return mask & UInt32(H5PL_FILTER_PLUGIN) == 0
    }
}
