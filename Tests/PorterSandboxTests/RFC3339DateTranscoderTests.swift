import Foundation
import Testing
@testable import PorterSandbox

@Suite("RFC 3339 timestamps")
struct RFC3339DateTranscoderTests {
    static let parseCases: [(String, Double?)] = [
        ("2026-08-01T12:00:00Z", 1_785_585_600),
        ("2026-08-01T12:00:00.250Z", 1_785_585_600.25),
        ("2026-08-01T12:00:00.123456789Z", 1_785_585_600.123456789),
        ("2026-08-01T14:00:00+02:00", 1_785_585_600),
        ("2026-08-01T07:30:00-04:30", 1_785_585_600),
        ("2026-08-01 12:00:00z", 1_785_585_600),
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T00:00:00Z", 951_782_400),
        ("2026-08-01T12:00:00", nil),
        ("2026-08-01", nil),
        ("2026-13-01T12:00:00Z", nil),
        ("2026-08-01T12:00:00.Z", nil),
        ("not a date", nil),
        ("2026-08-01T12:00:00Zjunk", nil),
    ]

    @Test(arguments: parseCases)
    func parses(_ text: String, _ expected: Double?) {
        let parsed = RFC3339DateTranscoder.parse(text)?.timeIntervalSince1970
        if let expected {
            #expect(parsed.map { abs($0 - expected) < 1e-6 } == true, "\(text) → \(String(describing: parsed))")
        } else {
            #expect(parsed == nil)
        }
    }

    static let formatCases: [(Double, String)] = [
        (1_785_585_600, "2026-08-01T12:00:00Z"),
        (1_785_585_600.25, "2026-08-01T12:00:00.250Z"),
        (0, "1970-01-01T00:00:00Z"),
        (951_782_400.001, "2000-02-29T00:00:00.001Z"),
        (-1, "1969-12-31T23:59:59Z"),
    ]

    @Test(arguments: formatCases)
    func formats(_ seconds: Double, _ expected: String) throws {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(RFC3339DateTranscoder.format(date) == expected)
        let roundTripped = try RFC3339DateTranscoder().decode(RFC3339DateTranscoder().encode(date))
        #expect(abs(roundTripped.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test func httpDatesRoundTrip() throws {
        let date = try #require(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))
        #expect(date.timeIntervalSince1970 == 784_111_777)
        #expect(HTTPDate.format(date) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.parse("yesterday") == nil)
    }
}
