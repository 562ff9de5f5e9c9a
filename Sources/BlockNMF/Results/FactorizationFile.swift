import HDF5Store
import NMFKernels

/// The layout of a result file, readable with h5py and nothing else:
///
///     /W             m×k   factor for the rows (samples)
///     /H             k×n   components
///     /loss_history  ‖V − W·H‖_F for the initial factors, then after each iteration
///                    (another β-divergence: √(2·D) every 10th iteration, NaN between)
///
/// and root attributes holding every parameter and the outcome, named as in
/// scikit-learn where scikit-learn has a name.
enum FactorizationFile {
    static func write<T: NMFScalar & HDF5Scalar>(
        w: FactorRows<T>, h: Matrix<T>, configuration: NMFConfiguration, summary: FactorizationSummary,
        to file: HDF5File
    ) throws {
        try writeFactor(w, to: file)
        try file.write(dataset: "/H", shape: [h.rows, h.columns], elements: h.elements)
        try file.write(dataset: "/loss_history", shape: [summary.report.lossHistory.count],
                       elements: summary.report.lossHistory)
        for (name, value) in attributes(configuration, summary: summary) {
            try file.setAttribute(name, value)
        }
    }

    /// /W, copied a block of rows at a time: it may live in a scratch file.
    static func writeFactor<T: NMFScalar & HDF5Scalar>(_ w: FactorRows<T>, to file: HDF5File) throws {
        let blockRows = 64 * TileSchedule.rowsPerTile
        let writer = try RowBlockWriter<T>(file: file, dataset: "/W", rows: w.rows, columns: w.columns,
                                           chunkRows: min(max(w.rows, 1), blockRows))
        try w.forEachBlock(rows: blockRows) { first, rows in
            try writer.write(rows: first..<(first + rows.rows), elements: rows.elements)
        }
        try writer.close()
    }

    static func attributes(_ configuration: NMFConfiguration,
                           summary: FactorizationSummary) -> [(String, AttributeValue)] {
        let report = summary.report
        let regularization = configuration.regularization
        return [
            ("n_components", .integer(configuration.components)),
            ("solver", .string(configuration.solver.rawValue)),
            ("inner_sweeps", .integer(configuration.innerSweeps)),
            ("beta_loss", .string(configuration.loss.description)),
            ("init", .string(report.initialization)),
            ("max_iter", .integer(configuration.maxIterations)),
            ("tol", .double(configuration.tolerance)),
            ("alpha_W", .double(regularization.alphaW)),
            ("alpha_H", .string(regularization.alphaH.description)),
            ("l1_ratio", .double(regularization.l1Ratio)),
            ("random_state", .integer(Int(configuration.seed))),
            ("precision", .string(summary.precision)),
            ("input_file", .string(summary.input)),
            ("input_dataset", .string(summary.dataset)),
            ("input_type", .string(summary.storedType)),
            ("reconstruction_err", .double(report.reconstructionError)),
            ("n_iter", .integer(report.iterations)),
            ("converged", .integer(report.converged ? 1 : 0)),
            ("elapsed_seconds", .double(report.elapsedSeconds)),
        ] + (summary.relativeError.map { [("relative_error", .double($0))] } ?? [])
    }
}
