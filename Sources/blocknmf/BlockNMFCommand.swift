import ArgumentParser

@main
struct BlockNMFCommand: ParsableCommand {
    /// What `blocknmf --version` prints.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "blocknmf",
        abstract: "Non-negative matrix factorization of matrices stored in HDF5, with scikit-learn's semantics.",
        version: version,
        subcommands: [FactorCommand.self, TransformCommand.self, InverseTransformCommand.self, GenerateCommand.self,
                      DemoCommand.self, InfoCommand.self]
    )
}
