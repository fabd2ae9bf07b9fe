import Testing
import WireFormats

@Suite("Wire formats: Go durations")
struct GoDurationTests {
    @Test(arguments: [
        ("30m", Duration.seconds(1800)), ("1h30m", .seconds(5400)), ("250ms", .milliseconds(250)), ("1.5s", .milliseconds(1500)),
        ("0", .zero), ("2h", .seconds(7200)), ("10us", .microseconds(10)), ("10µs", .microseconds(10)), (".5h", .seconds(1800)),
        ("1h0.5m", .seconds(3630)), ("2562047h47m16.854775807s", .nanoseconds(Int64.max)), ("9223372036854775807ns", .nanoseconds(Int64.max)),
        ("1.0000000001s", .seconds(1)),
    ])
    func parses(_ text: String, _ expected: Duration) throws {
        #expect(try GoDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "5", "m", "1x", "1h-5m", "forever", "-1s", "+1s", " 1s", "1s ", ".s", "1..5s", "1d", "1e3s", "١s", "1\u{301}s", "٣h", "1 s"])
    func refusesMalformed(_ text: String) {
        #expect(throws: GoDuration.ParseError.malformed) { try GoDuration.parse(text) }
    }

    /// Every text past `Int64.max` nanoseconds is refused as out of range, never trapped on.
    @Test(arguments: [
        "2562048h", "9223372036854775808ns", "9999999999999h", "99999999999999h", "18446744073709551616ns",
        String(repeating: "9", count: 400) + "s", "2562047h47m16.854775808s", "1000000000000000000000000000000h", "106752d",
    ])
    func refusesOutOfRange(_ text: String) {
        #expect(throws: GoDuration.ParseError.outOfRange) { try GoDuration.parse(text, allowingDays: true) }
    }

    @Test func daysOnlyWhenAllowed() throws {
        #expect(try GoDuration.parse("2d", allowingDays: true) == .seconds(172_800))
        #expect(try GoDuration.parse("1d12h", allowingDays: true) == .seconds(129_600))
        #expect(throws: GoDuration.ParseError.malformed) { try GoDuration.parse("2d") }
    }

    /// A seeded sweep: random texts never trap, and any duration that parses is within range.
    @Test func randomTextsNeverTrap() {
        var generator = SeededGenerator(seed: 20_261_129)
        let alphabet = Array("0123456789.hmsunµd9-+ x")
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...30, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if let duration = try? GoDuration.parse(text, allowingDays: true) {
                #expect(duration >= .zero && duration <= GoDuration.maximum, "\(text)")
            }
        }
    }
}

/// SplitMix64: a small seeded generator, so a failing sweep replays.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
