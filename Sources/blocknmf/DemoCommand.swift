import ArgumentParser
import BlockNMF
import BlockNMFDemo
import ComponentPictures
import Foundation

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Learn the 17 parts of the swimmer images (256 images of 32×32) with NMF.",
        discussion: """
            Writes DIRECTORY/swimmer.h5 (the images at /X, the true parts at /true_parts), \
            DIRECTORY/swimmer-nmf.h5 (the factorization) and DIRECTORY/swimmer-parts.png (the learned \
            components as 32×32 images, as factor --image-shape 32x32 --components-png draws them), \
            then prints how many of the 17 true parts a learned component matches with correlation ≥ 0.9. \
            The images are factored from 6 starts (coordinate descent from NNDSVDar with seeds 6·SEED to \
            6·SEED + 5) and the start with the lowest error is kept.
            """
    )

    @Option(help: "Where to write the demo's files (created if missing).")
    var directory: String = "blocknmf-demo"

    @Option(parsing: .unconditional, help: "Seed of the demo: its starts use seeds 6·SEED to 6·SEED + 5.")
    var seed: UInt32 = 0

    @Flag(help: "Print nothing on stderr while factoring.")
    var quiet = false

    func run() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let printer = ProgressPrinter()
            let summary = try SwimmerDemo.run(directory: directory, seed: seed,
                                              onProgress: quiet ? nil : { printer.report($0) })
            let fit = summary.factorization
            let kept = summary.starts[summary.keptStart].configuration
            let seeds = summary.starts.map { String($0.configuration.seed) }.joined(separator: ", ")
            print("""
                swimmer: \(Swimmer.imageCount) images of \(Swimmer.side)×\(Swimmer.side), \
                rank \(kept.components), \(kept.solver.rawValue), init \(fit.report.initialization), \
                seed \(seed): \(summary.starts.count) starts (seeds \(seeds)) in \(formatted(summary.startsSeconds, digits: 2)) s
                relative error by start: \(summary.starts.map { formatted($0.relativeError, digits: 3) }.joined(separator: ", "))
                kept seed \(kept.seed): relative error \(formatted(fit.relativeError ?? .nan)) \
                after \(counted(fit.report.iterations, "iteration"))
                recovered \(summary.recoveredParts) of \(Swimmer.partCount) parts \
                (correlation ≥ \(SwimmerDemo.recoveryThreshold))
                data: \(summary.dataPath)
                factors: \(fit.output)
                parts image: \(fit.componentsImage ?? "") \
                (\(counted(kept.components, "tile")) of \(SwimmerDemo.imageShape.height)×\(SwimmerDemo.imageShape.width))
                """)
        } catch {
            throw CommandFailure(error)
        }
    }
}
