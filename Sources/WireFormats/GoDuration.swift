/// Go-style durations (`30m`, `1h30m`, `1.5s`, `250ms`), as the Sandbox API's `since` takes them and as
/// every duration flag of the CLI is written.
///
/// Parsing uses exact integer arithmetic on nanoseconds and refuses anything past `Int64.max`
/// nanoseconds (about 292 years), so no input, however large, can overflow later arithmetic.
public enum GoDuration {
    /// Why a text is not a duration.
    public enum ParseError: Error, Equatable, Sendable {
        /// Not of the form `<number><unit>…`.
        case malformed
        /// A duration, but longer than ``GoDuration/maximum``.
        case outOfRange
    }

    /// The longest duration any parse returns: `Int64.max` nanoseconds.
    public static let maximum = Duration.nanoseconds(Int64.max)

    /// Nanoseconds per unit (its UTF-8 bytes); `d` (24 h) only when days are allowed.
    private static func nanosecondsPerUnit(_ unit: ArraySlice<UInt8>, allowingDays: Bool) -> UInt64? {
        switch String(decoding: unit, as: UTF8.self) {
        case "ns": 1
        case "us", "\u{00B5}s", "\u{03BC}s": 1_000
        case "ms": 1_000_000
        case "s": 1_000_000_000
        case "m": 60_000_000_000
        case "h": 3_600_000_000_000
        case "d" where allowingDays: 86_400_000_000_000
        default: nil
        }
    }

    /// The duration a text denotes: one or more `<digits>[.<digits>]<unit>` terms, or `0`.
    ///
    /// The text is read as UTF-8 bytes, so only the ASCII digits 0–9 count as digits.
    ///
    /// - Parameter allowingDays: also accept `d` (24 hours), which Go itself does not.
    /// - Throws: ``ParseError/malformed`` or ``ParseError/outOfRange``.
    public static func parse(_ text: String, allowingDays: Bool = false) throws(ParseError) -> Duration {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .malformed }
        if bytes == [0x30] { return .zero }
        var rest = bytes[...]
        var total: UInt64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix(while: isDigit)
            rest = rest.dropFirst(whole.count)
            var fraction: ArraySlice<UInt8> = []
            if rest.first == UInt8(ascii: ".") {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: isDigit)
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { throw .malformed }
            let unitBytes = rest.prefix { !isDigit($0) && $0 != UInt8(ascii: ".") }
            rest = rest.dropFirst(unitBytes.count)
            guard let unit = nanosecondsPerUnit(unitBytes, allowingDays: allowingDays) else { throw .malformed }
            let term = try nanoseconds(whole: whole, fraction: fraction, unit: unit)
            let (sum, overflow) = total.addingReportingOverflow(term)
            guard !overflow, sum <= UInt64(Int64.max) else { throw .outOfRange }
            total = sum
        }
        return .nanoseconds(Int64(total))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// `whole.fraction × unit` in nanoseconds, rounded down, checked for overflow.
    private static func nanoseconds(whole: ArraySlice<UInt8>, fraction: ArraySlice<UInt8>, unit: UInt64) throws(ParseError) -> UInt64 {
        var value: UInt64 = 0
        for digit in whole {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            guard !overflow1, !overflow2 else { throw .outOfRange }
            value = next
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw .outOfRange }
        // The fraction contributes less than one unit; digits past nanosecond precision are dropped.
        var fractional: UInt64 = 0
        var scale = unit
        for digit in fraction where scale >= 10 {
            scale /= 10
            fractional += UInt64(digit - 0x30) * scale
        }
        let (sum, overflowSum) = scaled.addingReportingOverflow(fractional)
        guard !overflowSum else { throw .outOfRange }
        return sum
    }
}
