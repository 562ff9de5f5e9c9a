// swift-tools-version:6.1
import PackageDescription

// A package of its own so that the main build and `swift test` never compile the
// benchmarks or their dependencies.
let package = Package(
    name: "BlockNMFBenchmarks",
    dependencies: [
        .package(name: "BlockNMF", path: "../"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "machine-limits",
            dependencies: [
                .product(name: "NMFKernels", package: "BlockNMF"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `swift package benchmark` (in this directory) runs it.
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NMFKernels", package: "BlockNMF"),
                .product(name: "HDF5Store", package: "BlockNMF"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
