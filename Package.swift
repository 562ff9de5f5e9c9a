// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "BlockNMF",
    products: [
        .library(name: "BlockNMF", targets: ["BlockNMF"]),
        .library(name: "NMFKernels", targets: ["NMFKernels"]),
        .library(name: "HDF5Store", targets: ["HDF5Store"]),
        .executable(name: "blocknmf", targets: ["blocknmf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: shim modules that promise no Swift API of their own.
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CHDF5",
            pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]
        ),

        // Kernels in 256-bit vectors (sparse products in float32 and float64, the float32
        // coordinate-descent sweep), chosen at run time.
        .target(name: "CVectorKernels"),

        // A SIGBUS handler that keeps a read of a mapped file truncated under the process
        // from killing it (the storage layer's mapped rows register with it).
        .target(name: "CMappingGuard"),

        // Layers, top to bottom: kernels and storage know nothing of each other.
        .target(name: "NMFKernels", dependencies: ["CBLAS", "CVectorKernels"]),
        .target(name: "HDF5Store", dependencies: ["CHDF5", "CMappingGuard"]),
        .target(name: "BlockNMF", dependencies: ["NMFKernels", "HDF5Store"]),
        .executableTarget(
            name: "blocknmf",
            dependencies: [
                "BlockNMF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Test support: a PNG reader written apart from the library's encoder.
        .target(name: "PNGDecoding", path: "Tests/PNGDecoding"),
        // Test support: scratch directories, fixture paths, planted matrices, a Python runner.
        .target(name: "TestSupport", dependencies: ["NMFKernels"], path: "Tests/TestSupport"),

        .testTarget(name: "NMFKernelsTests", dependencies: ["NMFKernels"]),
        .testTarget(name: "HDF5StoreTests", dependencies: ["HDF5Store", "TestSupport"]),
        .testTarget(name: "BlockNMFTests",
                    dependencies: ["BlockNMF", "NMFKernels", "HDF5Store", "PNGDecoding", "TestSupport"]),
        .testTarget(name: "BlocknmfCLITests", dependencies: ["blocknmf", "HDF5Store", "PNGDecoding", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
