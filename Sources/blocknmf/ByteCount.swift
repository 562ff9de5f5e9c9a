/// A memory size as written on the command line: a whole number of bytes, or one followed
/// by K, M or G (optionally KiB, MiB, GiB), all powers of 1024: `64MiB`, `512K`, `1048576`.
struct ByteCount {
    let bytes: Int

    init?(parsing text: String) {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        let shifts = ["": 0, "B": 0, "K": 10, "KiB": 10, "M": 20, "MiB": 20, "G": 30, "GiB": 30]
        guard let count = Int(digits), let shift = shifts[String(unit)] else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: 1 << shift)
        guard !overflow else { return nil }
        self.bytes = bytes
    }
}
