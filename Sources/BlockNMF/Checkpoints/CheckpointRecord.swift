import FileStorage
import Foundation
import NMFKernels

/// A checkpoint's state file: everything a resumed run needs besides W's buffers,
/// with every number that enters the computation stored bit for bit.
///
/// On disk: one header line `BLOCKNMF-CHECKPOINT <format> <checksum> <length>` and
/// `length` bytes of JSON whose checksum the header records.
struct CheckpointRecord: Codable, Sendable {
    static let format = 3
    /// Format 2 is format 3 without `extrapolation`.
    static let readableFormats = 2...3

    /// Increases with every state written; the newest valid one is resumed from.
    var sequence: Int
    /// The input's fingerprint and the configuration, compared before resuming.
    var identity: [Setting]
    var rows: Int
    var columns: Int
    var components: Int
    var iteration: Int
    var converged: Bool
    /// Seconds the fit had run when this was saved.
    var elapsedSeconds: Double
    var dataSum: ExactDouble
    var dataSquaredNorm: ExactDouble
    var h: Data
    var lossHistory: [ExactDouble]
    var iterationEndSeconds: [Double]
    var stopping: StoppingRule.Saved
    var pass: SavedPass?
    var extrapolation: SavedExtrapolation?
    var w: SavedW

    struct Setting: Codable, Sendable, Equatable {
        var name: String
        var value: String
    }

    /// A pass stopped part-way: the rows it had combined and its statistics in their flat
    /// encoding (`PassStatistics`), which the step that resumes it decodes.
    struct SavedPass: Codable, Sendable {
        var rowsDone: Int
        var statistics: Data
    }

    struct SavedW: Codable, Sendable {
        var rowsDone: Int
        var doneBuffer: Int
        var pendingBuffer: Int
        var checksum: String
    }

    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = [UInt8](try encoder.encode(self))
        var checksum = Checksum()
        checksum.add(body)
        return Array("BLOCKNMF-CHECKPOINT \(Self.format) \(checksum.hexadecimal) \(body.count)\n".utf8) + body
    }

    /// The record in `bytes`, or why they are not a whole, intact one.
    static func decode(_ bytes: [UInt8]) -> Result<CheckpointRecord, Problem> {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return .failure(.truncated) }
        let header = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard header.count == 4, header[0] == "BLOCKNMF-CHECKPOINT" else { return .failure(.notACheckpoint) }
        guard let version = Int(header[1]), readableFormats.contains(version) else {
            return .failure(.unknownFormat(String(header[1])))
        }
        let body = Array(bytes[(newline + 1)...])
        guard let length = Int(header[3]), length == body.count else { return .failure(.truncated) }
        var checksum = Checksum()
        checksum.add(body)
        guard checksum.hexadecimal == header[2] else { return .failure(.checksumMismatch) }
        do {
            return .success(try JSONDecoder().decode(CheckpointRecord.self, from: Data(body)))
        } catch {
            return .failure(.unreadable("\(error)"))
        }
    }

    enum Problem: Error, CustomStringConvertible {
        case truncated, notACheckpoint, checksumMismatch
        case unknownFormat(String)
        case unreadable(String)

        var description: String {
            switch self {
            case .truncated: "truncated"
            case .notACheckpoint: "not a checkpoint state file"
            case .checksumMismatch: "checksum mismatch"
            case .unknownFormat(let format):
                "format \(format), this version reads \(CheckpointRecord.readableFormats.map(String.init).joined(separator: " and "))"
            case .unreadable(let detail): "unreadable (\(detail))"
            }
        }
    }
}

/// A Double stored as its bit pattern, so that it comes back exactly.
struct ExactDouble: Codable, Sendable, Equatable {
    var value: Double

    init(_ value: Double) { self.value = value }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let bits = UInt64(text, radix: 16) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a bit pattern: \(text)"))
        }
        value = Double(bitPattern: bits)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value.bitPattern, radix: 16))
    }
}

extension LoopState {
    /// The loop state a record holds; nil when its H does not have the record's shape.
    init?(_ record: CheckpointRecord) {
        let (k, n) = (record.components, record.columns)
        guard let h = Matrix<T>(rows: k, columns: n, elementBytes: [UInt8](record.h)) else { return nil }
        var extrapolation: HExtrapolation<T>?
        if let saved = record.extrapolation {
            guard let restored = HExtrapolation<T>(saved, components: k, columns: n) else { return nil }
            extrapolation = restored
        }
        self.init(iteration: record.iteration, h: h, lossHistory: record.lossHistory.map(\.value),
                  iterationEndSeconds: record.iterationEndSeconds, stopping: StoppingRule(record.stopping),
                  converged: record.converged,
                  pass: record.pass.map { PartialPass(rowsDone: $0.rowsDone, statistics: [UInt8]($0.statistics)) },
                  extrapolation: extrapolation)
    }

    var savedPass: CheckpointRecord.SavedPass? {
        pass.map { CheckpointRecord.SavedPass(rowsDone: $0.rowsDone, statistics: Data($0.statistics)) }
    }
}
