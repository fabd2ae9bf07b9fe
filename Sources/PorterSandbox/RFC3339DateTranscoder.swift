import Foundation
import OpenAPIRuntime
import WireFormats

/// Reads and writes the API's RFC 3339 timestamps.
///
/// Decoding accepts any number of fractional digits (Go servers send nanoseconds) and any UTC
/// offset, `Z`/`z` and a space or `t` separator included. Encoding writes UTC with whole seconds, or
/// with exactly three fractional digits when the date has a fraction: the forms every official SDK
/// parses (reference §3).
public struct RFC3339DateTranscoder: DateTranscoder {
    /// Creates a transcoder.
    public init() {}

    /// Formats a date as RFC 3339 in UTC.
    public func encode(_ date: Date) throws -> String { Self.format(date) }

    /// Parses an RFC 3339 timestamp.
    public func decode(_ text: String) throws -> Date {
        guard let date = Self.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Not an RFC 3339 timestamp: '\(text)'"))
        }
        return date
    }

    /// Formats a date as RFC 3339 in UTC: `2026-08-01T12:00:00Z` or `2026-08-01T12:00:00.250Z`.
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        return CivilTime(millisecondsSince1970: milliseconds).text(separator: "T", fraction: .whenNotWhole) + "Z"
    }

    /// Parses an RFC 3339 timestamp, or returns nil.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    /// Parses an RFC 3339 timestamp from its UTF-8 bytes, or returns nil.
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
                index += 1
            }
            return value
        }
        func expect(_ byte: UInt8, or other: UInt8? = nil, or third: UInt8? = nil) -> Bool {
            guard index < bytes.count, bytes[index] == byte || bytes[index] == other || bytes[index] == third else { return false }
            index += 1
            return true
        }
        // "-", "T" or "t" or " ", ":".
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
            expect(84, or: 116, or: 32), let hour = number(2), expect(58), let minute = number(2), expect(58),
            let second = number(2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offsetSeconds: Int64 = 0
        guard index < bytes.count else { return nil }
        if bytes[index] == 90 || bytes[index] == 122 {
            index += 1
        } else if bytes[index] == 43 || bytes[index] == 45 {
            let sign: Int64 = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(58), let offsetMinutes = number(2) else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = CivilTime.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
