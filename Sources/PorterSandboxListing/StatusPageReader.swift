import Foundation
import PorterSandbox

/// Reads a `GET /v1/sandbox` answer (a ``Components/Schemas/ListResponse``) straight from its bytes, about
/// ten times faster than the generated `Codable` path on Linux: a controller lists every sandbox of its
/// fleet on every pass. It reads every field the generated type has and ignores unknown ones, as the
/// generated decoder does; for anything it does not handle (an `exec_target` or `filter_values` object,
/// an unknown phase, a malformed date, invalid JSON) it returns nil and the caller decodes the page the
/// generated way, which reports the problem precisely.
enum StatusPageReader {
    /// The page in `bytes`, or nil when the generated decoder must read it.
    static func read(_ bytes: [UInt8]) -> Components.Schemas.ListResponse? {
        bytes.withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            var sandboxes: [Components.Schemas.StatusResponse]?
            var pagination: Components.Schemas.Pagination?
            let read = scanner.readObject { scanner, key in
                switch key {
                case "sandboxes":
                    sandboxes = readStatuses(&scanner)
                    return sandboxes != nil
                case "pagination":
                    pagination = readPagination(&scanner)
                    return pagination != nil
                case "filter_values": return scanner.consumeNull()
                default: return scanner.skipValue()
                }
            }
            guard read, scanner.atEnd(), let sandboxes, let pagination else { return nil }
            return Components.Schemas.ListResponse(sandboxes: sandboxes, pagination: pagination)
        }
    }

    private static func readStatuses(_ scanner: inout JSONScanner) -> [Components.Schemas.StatusResponse]? {
        var statuses: [Components.Schemas.StatusResponse] = []
        let read = scanner.readArray { scanner in
            guard let status = readStatus(&scanner) else { return false }
            statuses.append(status)
            return true
        }
        return read ? statuses : nil
    }

    private static func readPagination(_ scanner: inout JSONScanner) -> Components.Schemas.Pagination? {
        var current: Int64?
        var total: Int64?
        var hasNext: Bool?
        let read = scanner.readObject { scanner, key in
            switch key {
            case "current_page": set(&current, scanner.readInt64())
            case "total_pages": set(&total, scanner.readInt64())
            case "has_next_page": set(&hasNext, scanner.readBool())
            default: scanner.skipValue()
            }
        }
        guard read, let current, let total, let hasNext else { return nil }
        return Components.Schemas.Pagination(currentPage: current, totalPages: total, hasNextPage: hasNext)
    }

    /// The fields of one status, as they are read.
    private struct Fields {
        var id: String?
        var name: String?
        var image: String?
        var tags: [String: String]?
        var phase: Components.Schemas.StatusResponsePhase?
        var exitCode: Int64?
        var createdAt: Date?
        var startedAt: Date?
        var finishedAt: Date?
        var terminationReason: Components.Schemas.StatusResponseTerminationReason?
        var host: String?
        var internalAddress: String?
        var volumeMounts: [String: String]?
    }

    /// The keys of a status, told apart by their bytes.
    private enum Key {
        case id, name, image, host, phase, createdAt, execTarget, tags, volumeMounts, exitCode, startedAt, finishedAt
        case internalAddress, terminationReason
        /// A key this reader does not use: its value is skipped.
        case other
        /// A key written with escapes: it might be any of the above, so the page is left to the generated decoder.
        case escaped

        static let words: [(StaticString, Key)] = [
            ("id", .id), ("name", .name), ("image", .image), ("host", .host), ("phase", .phase), ("created_at", .createdAt),
            ("exec_target", .execTarget), ("tags", .tags), ("volume_mounts", .volumeMounts), ("exit_code", .exitCode),
            ("started_at", .startedAt), ("finished_at", .finishedAt), ("internal_address", .internalAddress),
            ("termination_reason", .terminationReason),
        ]

        init(_ key: JSONScanner.ScannedString) {
            guard case .plain(let bytes) = key else {
                self = .escaped
                return
            }
            self = Self.words.first { JSONScanner.matches(bytes, $0.0) }?.1 ?? .other
        }
    }

    private static func readStatus(_ scanner: inout JSONScanner) -> Components.Schemas.StatusResponse? {
        var fields = Fields()
        let read = scanner.readObject(keys: Key.init) { scanner, key in readField(key, into: &fields, &scanner) }
        guard read, let id = fields.id, let name = fields.name, let image = fields.image, let phase = fields.phase,
            let createdAt = fields.createdAt, let host = fields.host
        else { return nil }
        return Components.Schemas.StatusResponse(
            id: id, name: name, image: image, tags: fields.tags.map { .init(additionalProperties: $0) }, phase: phase,
            exitCode: fields.exitCode, createdAt: createdAt, startedAt: fields.startedAt, finishedAt: fields.finishedAt,
            terminationReason: fields.terminationReason, host: host, internalAddress: fields.internalAddress,
            volumeMounts: fields.volumeMounts.map { .init(additionalProperties: $0) })
    }

    /// Reads the value of `key`; false when it cannot be read here. Optional fields may be null.
    private static func readField(_ key: Key, into fields: inout Fields, _ scanner: inout JSONScanner) -> Bool {
        switch key {
        case .id: return set(&fields.id, scanner.readString())
        case .name: return set(&fields.name, scanner.readString())
        case .image: return set(&fields.image, scanner.readString())
        case .host: return set(&fields.host, scanner.readString())
        case .phase: return set(&fields.phase, scanner.readPlainString(phase))
        case .createdAt: return set(&fields.createdAt, scanner.readPlainString(RFC3339DateTranscoder.parse(utf8:)))
        case .execTarget: return scanner.consumeNull()
        case .other: return scanner.skipValue()
        case .escaped: return false
        default: break
        }
        if scanner.consumeNull() { return true }
        switch key {
        case .tags: return set(&fields.tags, scanner.readStringMap())
        case .volumeMounts: return set(&fields.volumeMounts, scanner.readStringMap())
        case .exitCode: return set(&fields.exitCode, scanner.readInt64())
        case .startedAt: return set(&fields.startedAt, scanner.readPlainString(RFC3339DateTranscoder.parse(utf8:)))
        case .finishedAt: return set(&fields.finishedAt, scanner.readPlainString(RFC3339DateTranscoder.parse(utf8:)))
        case .internalAddress: return set(&fields.internalAddress, scanner.readString())
        case .terminationReason:
            return set(&fields.terminationReason, scanner.readString().flatMap(Components.Schemas.StatusResponseTerminationReason.init(rawValue:)))
        default: return scanner.skipValue()
        }
    }

    /// The phase spelled by `bytes`, matched without making a string; nil for an unknown one.
    private static func phase(_ bytes: UnsafeBufferPointer<UInt8>) -> Components.Schemas.StatusResponsePhase? {
        Components.Schemas.StatusResponsePhase.allCases.first { JSONScanner.matches(bytes, $0.rawValue) }
    }

    /// Stores `value` when there is one and the field has none yet (a key given twice is left to the
    /// generated decoder); whether it was stored.
    @discardableResult
    private static func set<T>(_ field: inout T?, _ value: T?) -> Bool {
        guard let value, field == nil else { return false }
        field = value
        return true
    }
}
