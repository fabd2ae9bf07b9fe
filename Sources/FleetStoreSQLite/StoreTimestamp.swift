import Foundation
import GRDB
import WireFormats

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
        return CivilTime(millisecondsSince1970: Int64(milliseconds.rounded(.toNearestOrAwayFromZero))).text(separator: " ", fraction: .always)
    }
}
