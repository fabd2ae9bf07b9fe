import Foundation

/// Records as one JSON array, for `jsonb_populate_recordset`: a batch of any size is one statement and
/// one round trip. Column names are the records' coding keys; dates are RFC 3339 with milliseconds
/// (the precision the SQLite engine keeps).
enum RecordJSON {
    static func encode<Record: Encodable>(_ records: [Record]) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Self.dateStyle))
        }
        return String(decoding: try encoder.encode(records), as: UTF8.self)
    }

    private static let dateStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
