import HDF5Store
import NMFKernels

/// The layouts of the files `transform` and `inverse-transform` write, readable with
/// h5py and nothing else, with attributes named as in `FactorizationFile`:
///
///     transform:          /W (m×k), /loss_history; the model's parameters, the input,
///                         model_file, reconstruction_err, relative_error, n_iter, converged
///     inverse-transform:  /X (m×n) = W·H; the input (W), model_file, precision
enum TransformFile {
    static func write<T: NMFScalar & HDF5Scalar>(w: FactorRows<T>, summary: TransformSummary,
                                                 to file: HDF5File) throws {
        try FactorizationFile.writeFactor(w, to: file)
        try file.write(dataset: "/loss_history", shape: [summary.report.lossHistory.count],
                       elements: summary.report.lossHistory)
        let configuration = summary.configuration, report = summary.report
        let attributes: [(String, AttributeValue)] = [
            ("n_components", .integer(configuration.components)),
            ("solver", .string(configuration.solver.rawValue)),
            ("inner_sweeps", .integer(configuration.innerSweeps)),
            ("beta_loss", .string(configuration.loss.description)),
            ("max_iter", .integer(configuration.maxIterations)),
            ("tol", .double(configuration.tolerance)),
            ("alpha_W", .double(configuration.regularization.alphaW)),
            ("l1_ratio", .double(configuration.regularization.l1Ratio)),
            ("precision", .string(summary.precision)),
            ("input_file", .string(summary.input)),
            ("input_dataset", .string(summary.dataset)),
            ("input_type", .string(summary.storedType)),
            ("model_file", .string(summary.model)),
            ("reconstruction_err", .double(report.reconstructionError)),
            ("n_iter", .integer(report.iterations)),
            ("converged", .integer(report.converged ? 1 : 0)),
            ("elapsed_seconds", .double(report.elapsedSeconds)),
        ] + (summary.relativeError.map { [("relative_error", .double($0))] } ?? [])
        for (name, value) in attributes { try file.setAttribute(name, value) }
    }

    static func writeInverseAttributes(input: MatrixInput, model: String, precision: String,
                                       to file: HDF5File) throws {
        try file.setAttribute("input_file", .string(input.path))
        try file.setAttribute("input_dataset", .string(input.dataset))
        try file.setAttribute("model_file", .string(model))
        try file.setAttribute("precision", .string(precision))
    }
}
