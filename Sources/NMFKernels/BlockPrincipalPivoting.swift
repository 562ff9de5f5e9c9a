import CBLAS

/// Exact non-negative least squares, min ‖A·x − b‖² subject to x ≥ 0, for many right-hand
/// sides at once, by block principal pivoting (Kim & Park, "Fast nonnegative matrix
/// factorization: an active-set-like method and comparisons", SIAM J. Sci. Comput. 33(6),
/// 2011, Algorithm 2).
///
/// Only the normal equations are needed: the k×k Gram G = AᵀA and the k×r right-hand sides
/// C = AᵀB. For NMF, the rows of W come from (H·Hᵀ, (V·Hᵀ)ᵀ) and the columns of H from
/// (WᵀW, WᵀV).
///
/// Each right-hand side keeps a passive set F (the variables allowed to be positive): x_F
/// solves G_FF·x_F = c_F, the others are 0, and the gradient y = G·x − c is 0 on F. Every
/// infeasible variable (x_i < 0 in F, y_i < 0 outside it) changes sides at once (the full
/// exchange rule). Full exchange alone can cycle; the backup rule counts the steps that did
/// not shrink the number of infeasible variables, and after three in a row exchanges only
/// the infeasible variable of largest index until the count shrinks again, which
/// guarantees termination in exact arithmetic. With rounding, an ill-conditioned G (more
/// components than the data's rank) can still keep a right-hand side from settling within the
/// iteration bound: those are solved again by Lawson & Hanson's active-set method, one
/// variable at a time, whose objective falls at every step. Right-hand sides that share a
/// passive set are solved together with one Cholesky factorization of G_FF.
///
/// Degenerate Grams are handled explicitly, never by a silent NaN:
/// - A variable whose diagonal G_ii is 0 (a dead component: A's column is zero, so G's row
///   and column are too) is fixed at 0 and never enters a passive set.
/// - When G_FF is singular or nearly so (duplicated or dependent columns), seen as LAPACK's
///   `info > 0` or a Cholesky pivot below 1e-12 of its diagonal entry, the solve is redone
///   on G_FF + δ·I with δ = 1e-12·trace(G)/k: the minimizer of a problem perturbed by
///   1e-12 relative, which satisfies the original's optimality conditions to that order.
/// - If even the ridged matrix fails to factor (only a G that is not positive semidefinite,
///   so not a Gram matrix, can do that), the variable at the failing pivot leaves the
///   passive set (held at 0) and the rest are solved again, unridged first.
///
/// All arithmetic is in Double, whatever the inputs' precision.
public enum BlockPrincipalPivoting {
    /// Solves every column of `rightHandSides` (k×r) against `gram` (k×k, symmetric positive
    /// semidefinite).
    ///
    /// `initialPassiveSets` warm-starts the pivoting: one array of k flags per right-hand
    /// side, true where the variable starts passive (typically the previous iterate's
    /// support, `passiveSets(support:)`). It changes the path, not the solution.
    /// `maximumIterations` bounds the pivoting steps; a right-hand side still infeasible
    /// then keeps its last passive set's solution clipped at 0, and `converged` is false.
    public static func solve<T: NMFScalar>(
        gram: Matrix<T>, rightHandSides: Matrix<T>, initialPassiveSets: [[Bool]]? = nil,
        maximumIterations: Int? = nil
    ) throws(NNLSError) -> NNLSSolution {
        try solve(gram: gram, rightHandSides: rightHandSides, initialPassiveSets: initialPassiveSets,
                  maximumIterations: maximumIterations, backupRule: true, activeSetFallback: true)
    }

    /// The passive sets of a previous solution (k×r): its positive entries.
    public static func passiveSets<T: NMFScalar>(support x: Matrix<T>) -> [[Bool]] {
        (0..<x.columns).map { j in (0..<x.rows).map { i in x[i, j] > 0 } }
    }

    /// `backupRule: false` is plain full exchange, which tests use to show that it cycles;
    /// `activeSetFallback: false` leaves what pivoting did not solve unsolved. `gramPrecision`:
    /// the relative precision G's entries were formed in (default: that of T).
    static func solve<T: NMFScalar>(
        gram: Matrix<T>, rightHandSides: Matrix<T>, initialPassiveSets: [[Bool]]?,
        maximumIterations: Int?, backupRule: Bool, activeSetFallback: Bool, gramPrecision: Double? = nil
    ) throws(NNLSError) -> NNLSSolution {
        let k = gram.rows, r = rightHandSides.columns
        precondition(gram.columns == k, "the Gram matrix must be square")
        precondition(rightHandSides.rows == k, "right-hand sides must have one row per variable")
        if let initialPassiveSets {
            precondition(initialPassiveSets.count == r && initialPassiveSets.allSatisfy { $0.count == k },
                         "one passive set of k flags per right-hand side")
        }
        let g = gram.elements.map { Double($0) }  // symmetric: row-major is column-major
        guard g.allSatisfy(\.isFinite), rightHandSides.elements.allSatisfy(\.isFinite) else {
            throw .inputNotFinite
        }
        // Column-major k×r: each right-hand side is contiguous.
        let c = rightHandSides.transposed().elements.map { Double($0) }
        let problem = Problem(k: k, gram: g, rightHandSides: c, gramPrecision: gramPrecision ?? Double(T.ulpOfOne))
        let limit = maximumIterations ?? max(100, 10 * k)

        var passive = (0..<r).map { j in
            (0..<k).map { i in problem.alive[i] && (initialPassiveSets?[j][i] ?? false) }
        }
        var x = [Double](repeating: 0, count: k * r)
        var y = [Double](repeating: 0, count: k * r)
        problem.solve(columns: Array(0..<r), passive: &passive, x: &x, y: &y)

        // Backup-rule state per right-hand side: the fewest infeasible variables seen (β)
        // and the full-exchange steps left before falling back to single exchange (α).
        var fewestInfeasible = [Int](repeating: k + 1, count: r)
        var fullExchangesLeft = [Int](repeating: 3, count: r)
        var iterations = 0
        var unsolved = (0..<r).filter { !problem.infeasibleSet(column: $0, passive: passive[$0], x: x, y: y).isEmpty }
        while !unsolved.isEmpty && iterations < limit {
            iterations += 1
            for j in unsolved {
                let infeasible = problem.infeasibleSet(column: j, passive: passive[j], x: x, y: y)
                if !backupRule || infeasible.count < fewestInfeasible[j] {
                    fewestInfeasible[j] = min(fewestInfeasible[j], infeasible.count)
                    fullExchangesLeft[j] = 3
                    for i in infeasible { passive[j][i].toggle() }
                } else if fullExchangesLeft[j] >= 1 {
                    fullExchangesLeft[j] -= 1
                    for i in infeasible { passive[j][i].toggle() }
                } else {
                    passive[j][infeasible.max()!].toggle()
                }
            }
            problem.solve(columns: unsolved, passive: &passive, x: &x, y: &y)
            unsolved = unsolved.filter { !problem.infeasibleSet(column: $0, passive: passive[$0], x: x, y: y).isEmpty }
        }
        if activeSetFallback {
            // What block pivoting left unsolved (it cycles on rounding when G is ill-conditioned),
            // one variable at a time.
            // Its solves on an ill-conditioned G_FF are exact to their rounding, which exceeds the
            // few ulps pivoting allows: the optimality conditions are then held to 1e-10 of the
            // gradient's terms.
            for j in unsolved { problem.solveByActiveSet(column: j, passive: &passive[j], x: &x, y: &y) }
            unsolved = unsolved.filter {
                !problem.infeasibleSet(column: $0, passive: passive[$0], x: x, y: y, relativeTolerance: 1e-10).isEmpty
            }
        }
        let converged = unsolved.isEmpty
        for index in x.indices where x[index] < 0 { x[index] = 0 }
        let solution = Matrix(rows: r, columns: k, elements: x).transposed()
        return NNLSSolution(x: solution, iterations: iterations, converged: converged, unsolvedCount: unsolved.count)
    }
}

/// The result of `BlockPrincipalPivoting.solve`: x (k×r), the pivoting steps taken (0 when
/// the initial passive sets were already optimal), and whether every right-hand side met the
/// optimality conditions within the iteration bound.
public struct NNLSSolution: Sendable {
    public let x: Matrix<Double>
    public let iterations: Int
    public let converged: Bool
    /// The right-hand sides still infeasible at the iteration bound (0 when converged).
    public let unsolvedCount: Int
}

/// NNLS was given NaN or infinite values, which no factorization can make sense of.
public enum NNLSError: Error, Equatable, CustomStringConvertible {
    case inputNotFinite
    public var description: String { "non-negative least squares was given NaN or infinite values" }
}

/// One NNLS problem's fixed data and the grouped solves of its passive sets.
private struct Problem {
    let k: Int
    let gram: [Double]
    let rightHandSides: [Double]
    /// False for dead variables (zero diagonal), which stay at 0.
    let alive: [Bool]
    let ridge: Double
    /// Relative size below which G_FF counts as singular: 10⁻¹², or 16 ulps of G's entries when
    /// they were formed in a coarser precision (a float32 Gram is only accurate to 10⁻⁷ and can
    /// have eigenvalues that far below 0).
    let singularity: Double

    init(k: Int, gram: [Double], rightHandSides: [Double], gramPrecision: Double) {
        self.k = k
        self.gram = gram
        self.rightHandSides = rightHandSides
        alive = (0..<k).map { gram[$0 * k + $0] > 0 }
        singularity = max(1e-12, 16 * gramPrecision)
        let trace = (0..<k).reduce(0.0) { $0 + max(gram[$1 * k + $1], 0) }
        ridge = k > 0 ? singularity * trace / Double(k) : 0
    }

    /// Variables whose side is wrong: negative in the passive set, or with a negative gradient
    /// outside it. The gradient's tolerance is its own rounding error (a few ulps of the terms
    /// summed), so a zero gradient computed as −1e-17 does not pivot forever.
    func infeasibleSet(column j: Int, passive: [Bool], x: [Double], y: [Double],
                       relativeTolerance: Double = 64 * Double.ulpOfOne) -> [Int] {
        var result = [Int]()
        let base = j * k
        for i in 0..<k where alive[i] {
            if passive[i] {
                if x[base + i] < 0 { result.append(i) }
            } else if y[base + i] < -relativeTolerance * gradientTerms(row: i, column: j, x: x) {
                result.append(i)
            }
        }
        return result
    }

    /// The magnitude of the terms summed into gradient i: its rounding's scale.
    private func gradientTerms(row i: Int, column j: Int, x: [Double]) -> Double {
        var magnitude = abs(rightHandSides[j * k + i])
        for l in 0..<k { magnitude += abs(gram[i * k + l] * x[j * k + l]) }
        return magnitude
    }

    /// Recomputes x and y of `columns`, one factorization per distinct passive set.
    func solve(columns: [Int], passive: inout [[Bool]], x: inout [Double], y: inout [Double]) {
        var groups = [[Bool]: [Int]]()
        for j in columns { groups[passive[j], default: []].append(j) }
        for (set, members) in groups {
            var variables = (0..<k).filter { set[$0] }
            let requested = variables.count
            let solved = solvePassive(&variables, columns: members)
            // A variable dropped by `solvePassive` leaves the passive set of every member.
            for (member, j) in members.enumerated() {
                if variables.count != requested {
                    for i in 0..<k { passive[j][i] = false }
                    for i in variables { passive[j][i] = true }
                }
                let base = j * k
                for i in 0..<k { x[base + i] = 0 }
                for (position, i) in variables.enumerated() {
                    x[base + i] = solved[member * variables.count + position]
                }
                for i in 0..<k {
                    if passive[j][i] {
                        y[base + i] = 0
                    } else {
                        var gradient = -rightHandSides[base + i]
                        for l in variables { gradient += gram[i * k + l] * x[base + l] }
                        y[base + i] = gradient
                    }
                }
            }
        }
    }

    /// Lawson & Hanson's active-set method for right-hand side `j`, from x = 0: the variable of
    /// most negative gradient (beyond its rounding) enters the passive set; when the solve on the
    /// set is not positive, x steps back toward it as far as feasibility allows and the variable
    /// that reaches 0 first leaves. The objective falls at every step, so no set repeats: it ends
    /// where full exchanges can cycle. A variable that enters and leaves again without moving x
    /// is barred until x moves, so rounding cannot make it enter forever. Leaves x, the passive
    /// set and y as they were when it does not finish within its bound.
    func solveByActiveSet(column j: Int, passive: inout [Bool], x: inout [Double], y: inout [Double]) {
        let base = j * k
        var set = [Bool](repeating: false, count: k)
        var current = [Double](repeating: 0, count: k)
        var barred = [Bool](repeating: false, count: k)
        func gradient(_ i: Int) -> Double {
            (0..<k).reduce(-rightHandSides[base + i]) { $0 + gram[i * k + $1] * current[$1] }
        }
        func tolerance(_ i: Int) -> Double {
            64 * Double.ulpOfOne * (0..<k).reduce(abs(rightHandSides[base + i])) { $0 + abs(gram[i * k + $1] * current[$1]) }
        }
        guard let leastSquares = LeastSquaresForm(gram: gram, k: k, ridge: ridge,
                                                  rightHandSide: Array(rightHandSides[base..<(base + k)])) else { return }
        var finished = false
        var steps = 0
        let bound = 8 * k + 8
        outer: while steps < bound {
            steps += 1
            var entering: Int?, steepest = 0.0
            for i in 0..<k where alive[i] && !set[i] && !barred[i] {
                let g = gradient(i)
                if g < -tolerance(i), g < steepest { (entering, steepest) = (i, g) }
            }
            guard let entering else {
                finished = true
                break
            }
            set[entering] = true
            while steps < bound {
                steps += 1
                let variables = (0..<k).filter { set[$0] }
                guard let solved = leastSquares.solve(variables) else {
                    // The entering variable's column depends on the set's: it cannot enter.
                    (set[entering], barred[entering]) = (false, true)
                    continue outer
                }
                var z = [Double](repeating: 0, count: k)
                for (position, i) in variables.enumerated() { z[i] = solved[position] }
                if variables.allSatisfy({ z[$0] > 0 }) {
                    current = z
                    barred = [Bool](repeating: false, count: k)
                    continue outer
                }
                // The variable that reaches 0 first on the way from x to z, and how far x goes.
                var blocking = variables.first { z[$0] <= 0 }!, step = 1.0
                for i in variables where z[i] <= 0 {
                    let room = current[i] - z[i]
                    let reach = room > 0 ? current[i] / room : 0
                    if reach < step || (reach == step && i == blocking) { (step, blocking) = (reach, i) }
                }
                var moved = false
                for i in variables {
                    let next = current[i] + step * (z[i] - current[i])
                    if next != current[i] { moved = true }
                    current[i] = max(next, 0)
                }
                (set[blocking], current[blocking]) = (false, 0)
                if moved {
                    barred = [Bool](repeating: false, count: k)
                } else if blocking == entering {
                    barred[entering] = true
                    continue outer
                }
            }
        }
        guard finished else { return }
        for i in 0..<k {
            x[base + i] = set[i] ? current[i] : 0
            passive[i] = set[i]
            y[base + i] = set[i] ? 0 : gradient(i)
        }
    }

    /// Solves G_FF·X = C_F for the passive `variables` and the right-hand sides `columns`;
    /// returns X column-major (|F| × columns.count). Removes from `variables` any it had to
    /// hold at 0 (see the type's rules).
    private func solvePassive(_ variables: inout [Int], columns: [Int]) -> [Double] {
        var ridged = false
        while true {
            let q = variables.count
            guard q > 0 else { return [] }
            var factor = [Double](repeating: 0, count: q * q)
            for (a, i) in variables.enumerated() {
                for (b, l) in variables.enumerated() { factor[b * q + a] = gram[i * k + l] }
                if ridged { factor[a * q + a] += ridge }
            }
            var n = Int32(q), lda = Int32(q), info: Int32 = 0
            let lower: [CChar] = [CChar(UInt8(ascii: "L")), 0]
            factor.withUnsafeMutableBufferPointer { dpotrf_(lower, &n, $0.baseAddress!, &lda, &info, 1) }
            if info == 0 && !ridged {
                // A tiny pivot is a singular matrix that rounding made look positive definite.
                let weakPivot = variables.indices.contains { a in
                    let pivot = factor[a * q + a]
                    return pivot * pivot < singularity * gram[variables[a] * k + variables[a]]
                }
                if weakPivot { ridged = true; continue }
            }
            if info > 0 {
                if !ridged && ridge > 0 { ridged = true; continue }
                variables.remove(at: Int(info) - 1)
                ridged = false  // the rest may well be positive definite as it is
                continue
            }
            precondition(info == 0, "dpotrf rejected argument \(-info)")
            var solution = [Double](repeating: 0, count: q * columns.count)
            for (position, j) in columns.enumerated() {
                for (a, i) in variables.enumerated() { solution[position * q + a] = rightHandSides[j * k + i] }
            }
            var nrhs = Int32(columns.count), ldb = Int32(q)
            factor.withUnsafeBufferPointer { pf in
                solution.withUnsafeMutableBufferPointer { ps in
                    dpotrs_(lower, &n, &nrhs, pf.baseAddress!, &lda, ps.baseAddress!, &ldb, &info, 1)
                }
            }
            precondition(info == 0, "dpotrs rejected argument \(-info)")
            return solution
        }
    }
}

/// One NNLS problem of `Problem` in least-squares form, min ‖U·x − b‖ with G = UᵀU (Cholesky;
/// G + δI when G is singular) and b = U⁻ᵀ·c: the same minimizer, but solves on a set of
/// columns of U by QR have the condition number of U, not of G, its square. Lawson & Hanson's
/// method needs that accuracy where G is ill-conditioned.
private struct LeastSquaresForm {
    let k: Int
    /// U, column-major k×k (upper triangle).
    let u: [Double]
    let b: [Double]

    init?(gram: [Double], k: Int, ridge: Double, rightHandSide c: [Double]) {
        self.k = k
        let upper: [CChar] = [CChar(UInt8(ascii: "U")), 0]
        var factored: [Double]?
        for shift in [0, ridge, 1e3 * ridge] {
            var factor = gram
            for i in 0..<k { factor[i * k + i] += shift }
            var n = Int32(k), lda = Int32(k), info: Int32 = 0
            factor.withUnsafeMutableBufferPointer { dpotrf_(upper, &n, $0.baseAddress!, &lda, &info, 1) }
            if info == 0 { factored = factor; break }
        }
        guard var factor = factored else { return nil }
        for column in 0..<k { for row in (column + 1)..<k { factor[column * k + row] = 0 } }
        u = factor
        // Uᵀ·b = c, forward.
        var solution = c
        for i in 0..<k {
            var value = solution[i]
            for l in 0..<i { value -= factor[i * k + l] * solution[l] }
            solution[i] = value / factor[i * k + i]
        }
        b = solution
    }

    /// argmin over z of ‖U_P·z − b‖ for the columns `variables`, by QR; nil when they are
    /// linearly dependent (a diagonal of R below 10⁻¹² of the largest).
    func solve(_ variables: [Int]) -> [Double]? {
        let p = variables.count
        guard p > 0 else { return [] }
        var a = [Double](repeating: 0, count: k * p)
        for (position, column) in variables.enumerated() {
            for row in 0..<k { a[position * k + row] = u[column * k + row] }
        }
        var m = Int32(k), n = Int32(p), lda = Int32(k), info: Int32 = 0
        var tau = [Double](repeating: 0, count: p)
        var lwork = Int32(64 * max(p, 1))
        var work = [Double](repeating: 0, count: Int(lwork))
        dgeqrf_(&m, &n, &a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { return nil }
        var r = [Double](repeating: 0, count: p * p)
        for column in 0..<p { for row in 0...column { r[column * p + row] = a[column * k + row] } }
        let largest = (0..<p).reduce(0.0) { max($0, abs(r[$1 * p + $1])) }
        guard largest > 0, (0..<p).allSatisfy({ abs(r[$0 * p + $0]) > 1e-12 * largest }) else { return nil }
        var kk = Int32(p)
        dorgqr_(&m, &n, &kk, &a, &lda, &tau, &work, &lwork, &info)
        guard info == 0 else { return nil }
        // z = R⁻¹·Qᵀ·b, backward.
        var z = (0..<p).map { column in (0..<k).reduce(0.0) { $0 + a[column * k + $1] * b[$1] } }
        for i in stride(from: p - 1, through: 0, by: -1) {
            var value = z[i]
            for l in (i + 1)..<p { value -= r[l * p + i] * z[l] }
            z[i] = value / r[i * p + i]
        }
        return z
    }
}
