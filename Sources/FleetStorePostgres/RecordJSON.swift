import Foundation

/// Records as one JSON array, for `jsonb_populate_recordset`: a batch of any size is one statement and
/// one round trip. Column names are the records' coding keys; dates are RFC 3339 in UTC, rounded to
/// the millisecond (the precision the SQLite engine keeps, so a store copied between engines and back
/// is the same store).
enum RecordJSON {
    static func encode<Record: Encodable>(_ records: [Record]) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return String(decoding: try encoder.encode(records), as: UTF8.self)
    }

    /// `2026-11-29T13:00:00.117Z`: whole seconds formatted, then the rounded milliseconds.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let wholeSeconds = fraction < 0 ? seconds - 1 : seconds
        let millis = fraction < 0 ? fraction + 1000 : fraction
        let text = Date(timeIntervalSince1970: TimeInterval(wholeSeconds)).formatted(wholeSecondStyle)
        return String(text.dropLast()) + "." + String(String(millis + 1000).dropFirst()) + "Z"
    }

    private static let wholeSecondStyle = Date.ISO8601FormatStyle()
}
