/// Where a path's file lives, as the commands name directories in messages and for files
/// made beside an output.
enum FileLocation {
    /// The directory holding `path`: "." for a bare name, "/" for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = path[..<slash]
        return parent.isEmpty ? "/" : String(parent)
    }
}
