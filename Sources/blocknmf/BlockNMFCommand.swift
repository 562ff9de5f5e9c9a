import ArgumentParser

@main
struct BlockNMFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blocknmf",
        abstract: "Non-negative matrix factorization of matrices stored in HDF5, with scikit-learn's semantics.",
        subcommands: [FactorCommand.self, TransformCommand.self, InverseTransformCommand.self, GenerateCommand.self,
                      DemoCommand.self, InfoCommand.self]
    )
}
