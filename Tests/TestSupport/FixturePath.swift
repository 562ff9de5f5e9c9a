import Foundation

/// A file of Tests/Fixtures (written by tools/make_fixtures.py and the tests' scripts).
public func fixturePath(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/\(name)").path
}
