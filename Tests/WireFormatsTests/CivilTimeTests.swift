import Testing

@testable import WireFormats

@Suite("Civil time")
struct CivilTimeTests {
    @Test func knownInstants() {
        #expect(CivilTime(millisecondsSince1970: 0).text(separator: "T", fraction: .whenNotWhole) == "1970-01-01T00:00:00")
        #expect(CivilTime(millisecondsSince1970: 951_782_400_250).text(separator: " ", fraction: .always) == "2000-02-29 00:00:00.250")
        #expect(CivilTime(millisecondsSince1970: -1).text(separator: "T", fraction: .whenNotWhole) == "1969-12-31T23:59:59.999")
        #expect(CivilTime(millisecondsSince1970: 253_402_300_799_000).text(separator: " ", fraction: .always) == "9999-12-31 23:59:59.000")
        #expect(CivilTime(millisecondsSince1970: -62_135_596_800_000).text(separator: "T", fraction: .whenNotWhole) == "0001-01-01T00:00:00")
    }

    /// Every day of ±2,000,000 days, sampled from a seed: the date and the day count agree both ways, and
    /// the fields are in range.
    @Test func daysAndDatesAgreeBothWays() {
        var random = SeededGenerator(seed: 20_261_130)
        for _ in 0..<20_000 {
            let days = Int64.random(in: -2_000_000...2_000_000, using: &random)
            let millisecond = Int64.random(in: 0..<86_400_000, using: &random)
            let time = CivilTime(millisecondsSince1970: days * 86_400_000 + millisecond)
            #expect(CivilTime.daysSince1970(year: time.year, month: time.month, day: time.day) == days)
            #expect((1...12).contains(time.month) && (1...31).contains(time.day))
            #expect(time.hour * 3_600_000 + time.minute * 60_000 + time.second * 1000 + time.millisecond == millisecond)
        }
    }
}
