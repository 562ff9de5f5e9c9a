import NMFKernels

/// The "swimmer" images of Donoho & Stodden (2003), built in code: a fixed torso
/// and four limbs, each in one of four positions, so 4⁴ = 256 images of 32×32
/// pixels made of 17 parts. NMF with k = 17 can learn the parts themselves —
/// the result that made NMF known for "learning parts of objects".
public enum Swimmer {
    public static let side = 32
    public static let imageCount = 256
    public static let partCount = 17

    /// Limbs as rays from a joint beside the torso: joint (row, column) and the four
    /// directions (Δrow, Δcolumn) of its positions. Rays from one joint share no
    /// pixel, and no two limbs meet, so the 17 parts are disjoint.
    private static let limbs: [(joint: (Int, Int), directions: [(Int, Int)])] = [
        ((10, 14), [(-1, 0), (-1, -1), (0, -1), (1, -1)]),   // left arm
        ((10, 17), [(-1, 0), (-1, 1), (0, 1), (1, 1)]),      // right arm
        ((21, 14), [(1, 0), (1, -1), (0, -1), (-1, -1)]),    // left leg
        ((21, 17), [(1, 0), (1, 1), (0, 1), (-1, 1)]),       // right leg
    ]
    private static let limbLength = 7

    /// The 17 parts as 0/1 images (rows of a 17×1024 matrix): the torso, then each
    /// limb's four positions.
    public static func parts<T: NMFScalar>(as _: T.Type = T.self) -> Matrix<T> {
        var parts = Matrix<T>(rows: partCount, columns: side * side)
        for row in 9...22 {
            for column in 15...16 { parts[0, row * side + column] = 1 }
        }
        for (limb, (joint, directions)) in limbs.enumerated() {
            for (position, direction) in directions.enumerated() {
                let part = 1 + limb * 4 + position
                for step in 1...limbLength {
                    let row = joint.0 + direction.0 * step, column = joint.1 + direction.1 * step
                    parts[part, row * side + column] = 1
                }
            }
        }
        return parts
    }

    /// All 256 images (256×1024): the torso plus one position of each limb.
    public static func images<T: NMFScalar>(as _: T.Type = T.self) -> Matrix<T> {
        let parts = parts(as: T.self)
        var images = Matrix<T>(rows: imageCount, columns: side * side)
        for image in 0..<imageCount {
            let positions = (0..<4).map { limb in (image >> (2 * limb)) & 3 }
            let used = [0] + positions.enumerated().map { limb, position in 1 + limb * 4 + position }
            for part in used {
                for pixel in 0..<(side * side) where parts[part, pixel] > 0 { images[image, pixel] = 1 }
            }
        }
        return images
    }

    /// For each true part, the best Pearson correlation with any learned component.
    /// A part counts as recovered when this reaches `threshold`.
    public static func bestCorrelations<T: NMFScalar>(components: Matrix<T>) -> [Double] {
        let truth = parts(as: Double.self)
        let learned = components.converted(to: Double.self)
        return (0..<truth.rows).map { part in
            (0..<learned.rows).map { component in
                correlation(row: part, of: truth, row: component, of: learned)
            }.max() ?? 0
        }
    }

    private static func correlation(row a: Int, of x: Matrix<Double>, row b: Int, of y: Matrix<Double>) -> Double {
        let n = Double(x.columns)
        var sumX = 0.0, sumY = 0.0
        for j in 0..<x.columns { sumX += x[a, j]; sumY += y[b, j] }
        let meanX = sumX / n, meanY = sumY / n
        var cross = 0.0, squaresX = 0.0, squaresY = 0.0
        for j in 0..<x.columns {
            let dx = x[a, j] - meanX, dy = y[b, j] - meanY
            cross += dx * dy
            squaresX += dx * dx
            squaresY += dy * dy
        }
        let scale = (squaresX * squaresY).squareRoot()
        return scale > 0 ? cross / scale : 0
    }
}
