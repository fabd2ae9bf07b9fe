import Foundation
import GRDB

/// A date as the store keeps it: `YYYY-MM-DD HH:MM:SS.SSS` in UTC, to the nearest millisecond — the text GRDB
/// writes for a `Date` and reads back — made with integer arithmetic instead of GRDB's shared
/// `DateFormatter`, which took most of the time of writing a pass's rows (a pass that creates 1,000
/// sandboxes writes about 5,000 dates). Dates outside the years 1970–9999 go through GRDB as before.
struct StoreTimestamp: DatabaseValueConvertible {
    /// The date.
    let date: Date

    init(_ date: Date) { self.date = date }

    var databaseValue: DatabaseValue {
        Self.text(of: date)?.databaseValue ?? date.databaseValue
    }

    static func fromDatabaseValue(_ value: DatabaseValue) -> StoreTimestamp? {
        Date.fromDatabaseValue(value).map(StoreTimestamp.init)
    }

    /// Milliseconds of 1 January 10000, the first instant GRDB would write with five year digits.
    private static let endOfYear9999: Double = 253_402_300_800_000

    /// The text of `date`, or nil outside 1970–9999.
    static func text(of date: Date) -> String? {
        // As Foundation hands the date to ICU: milliseconds since 1970, rounded to the nearest by the "SSS" field.
        let milliseconds = (date.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1000
        guard milliseconds >= 0, milliseconds < endOfYear9999 else { return nil }
        let total = Int64(milliseconds.rounded(.toNearestOrAwayFromZero))
        let (days, millisecondOfDay) = total.quotientAndRemainder(dividingBy: 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let second = millisecondOfDay / 1000
        return String(unsafeUninitializedCapacity: 23) { buffer in
            var index = 0
            func put(_ value: Int64, digits: Int) {
                var value = value
                for position in stride(from: index + digits - 1, through: index, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                index += digits
            }
            func put(_ separator: Character) {
                buffer[index] = separator.asciiValue ?? 0
                index += 1
            }
            put(year, digits: 4)
            put("-")
            put(month, digits: 2)
            put("-")
            put(day, digits: 2)
            put(" ")
            put(second / 3600, digits: 2)
            put(":")
            put(second / 60 % 60, digits: 2)
            put(":")
            put(second % 60, digits: 2)
            put(".")
            put(millisecondOfDay % 1000, digits: 3)
            return index
        }
    }

    /// Year, month and day of a count of days since 1 January 1970 in the proleptic Gregorian calendar
    /// (H. Hinnant's `civil_from_days`, for non-negative counts).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days since 1 March of year 0
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
