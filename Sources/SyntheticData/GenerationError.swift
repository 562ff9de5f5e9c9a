/// A generation that cannot be carried out as asked: a parameter out of its range, named by
/// its command-line flag.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    case invalidParameter(name: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, requirement):
            return "invalid --\(name) \(value): \(requirement)"
        }
    }
}
