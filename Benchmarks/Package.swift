// swift-tools-version:6.1
import PackageDescription

// A package of its own so that the main build and `swift test` never compile the
// benchmarks or their dependencies.
let package = Package(
    name: "BlockNMFBenchmarks",
    dependencies: [
        .package(name: "BlockNMF", path: "../"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .executableTarget(
            name: "machine-limits",
            dependencies: [
                .product(name: "NMFKernels", package: "BlockNMF"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
