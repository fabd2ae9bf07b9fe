import FleetTestSupport
import Foundation
import GRDB
import Testing

@testable import FleetStoreSQLite

/// The store writes dates itself instead of through GRDB's `DateFormatter`; the text must be GRDB's to the
/// byte, or stored dates would stop comparing in order with the ones GRDB binds in queries.
@Suite("SQLite store timestamps")
struct StoreTimestampTests {
    @Test func theTextIsGRDBsForRandomInstants() {
        let random = SharedRandom(seed: 20_261_129)
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 0.0009), Date(timeIntervalSince1970: 951_782_400.999_9),  // 2000-02-29
            Date(timeIntervalSince1970: 4_107_542_399.999), Date(timeIntervalSince1970: 253_402_300_799.999),  // 2100-02-28, 9999-12-31
            Date(timeIntervalSinceReferenceDate: 786_000_000.123_456),
        ]
        for _ in 0..<20_000 {
            let seconds = Double(random.int(in: 0...253_402_300_799))
            dates.append(Date(timeIntervalSince1970: seconds + Double(random.int(in: 0...999_999)) / 1_000_000))
        }
        for date in dates {
            let expected = String.fromDatabaseValue(date.databaseValue)
            #expect(StoreTimestamp(date).databaseValue == date.databaseValue, "\(date.timeIntervalSince1970): \(expected ?? "?")")
        }
    }

    @Test func datesOutsideTheFastRangeGoThroughGRDB() {
        for date in [Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: -86_400 * 365.25 * 100), Date(timeIntervalSince1970: 253_402_300_800)] {
            #expect(StoreTimestamp.text(of: date) == nil)
            #expect(StoreTimestamp(date).databaseValue == date.databaseValue)
        }
    }

    @Test func readsBackAsTheSameMillisecond() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000.123_9)
        let read = try #require(StoreTimestamp.fromDatabaseValue(StoreTimestamp(date).databaseValue))
        #expect(abs(read.date.timeIntervalSince1970 - 1_800_000_000.124) < 0.000_5, "to the nearest millisecond, as GRDB writes it")
    }
}
