// swift-tools-version:6.0
import PackageDescription

/// Members of a type are usable only in files that import its module: every module a file
/// relies on is named at its top, and so must be among its target's dependencies.
let explicitImports: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "BlockNMF",
    products: [
        .library(name: "BlockNMF", targets: ["BlockNMF"]),
        .library(name: "NMFKernels", targets: ["NMFKernels"]),
        .library(name: "HDF5Store", targets: ["HDF5Store"]),
        .library(name: "FileStorage", targets: ["FileStorage"]),
        .library(name: "ComponentPictures", targets: ["ComponentPictures"]),
        .library(name: "SyntheticData", targets: ["SyntheticData"]),
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

        // Layers, top to bottom: kernels and storage know nothing of each other; HDF5 files
        // stand on plain files and directories.
        .target(name: "NMFKernels", dependencies: ["CBLAS", "CVectorKernels"], swiftSettings: explicitImports),
        .target(name: "CFileCalls"),
        .target(name: "FileStorage", dependencies: ["CFileCalls"], swiftSettings: explicitImports),
        .target(name: "HDF5Store", dependencies: ["CHDF5", "CMappingGuard", "FileStorage"], swiftSettings: explicitImports),
        // Components drawn as a PNG grid: `factor --components-png` draws through the engine.
        .target(name: "ComponentPictures", dependencies: ["NMFKernels"], swiftSettings: explicitImports),
        // `blocknmf generate`: planted low-rank matrices written to HDF5 block by block.
        .target(name: "SyntheticData", dependencies: ["NMFKernels", "HDF5Store"], swiftSettings: explicitImports),
        .target(name: "BlockNMF", dependencies: ["NMFKernels", "HDF5Store", "FileStorage", "ComponentPictures"]),
        // `blocknmf demo`: the swimmer images factored through the engine.
        .target(name: "BlockNMFDemo", dependencies: ["BlockNMF", "NMFKernels", "HDF5Store", "ComponentPictures"], swiftSettings: explicitImports),
        .executableTarget(
            name: "blocknmf",
            dependencies: [
                "BlockNMF",
                "NMFKernels",
                "HDF5Store",
                "FileStorage",
                "ComponentPictures",
                "SyntheticData",
                "BlockNMFDemo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: explicitImports
        ),

        // Test support: a PNG reader written apart from the library's encoder.
        .target(name: "PNGDecoding", path: "Tests/PNGDecoding"),
        // Test support: scratch directories, fixture paths, planted matrices, a Python runner.
        .target(name: "TestSupport", dependencies: ["NMFKernels"], path: "Tests/TestSupport"),

        .testTarget(name: "NMFKernelsTests", dependencies: ["NMFKernels"]),
        .testTarget(name: "FileStorageTests", dependencies: ["FileStorage", "HDF5Store", "TestSupport"]),
        .testTarget(name: "HDF5StoreTests", dependencies: ["HDF5Store", "FileStorage", "TestSupport"]),
        .testTarget(name: "ComponentPicturesTests", dependencies: ["ComponentPictures", "NMFKernels", "PNGDecoding", "TestSupport"]),
        .testTarget(name: "SyntheticDataTests", dependencies: ["SyntheticData", "NMFKernels", "HDF5Store", "TestSupport"]),
        .testTarget(name: "BlockNMFTests",
                    dependencies: ["BlockNMF", "ComponentPictures", "NMFKernels", "HDF5Store", "TestSupport"]),
        .testTarget(name: "BlockNMFDemoTests", dependencies: ["BlockNMFDemo", "BlockNMF", "NMFKernels", "TestSupport"]),
        .testTarget(name: "BlocknmfCLITests", dependencies: ["blocknmf", "HDF5Store", "PNGDecoding", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
