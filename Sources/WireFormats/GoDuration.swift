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

    /// Nanoseconds per unit; `d` (24 h) only when days are allowed.
    private static func nanosecondsPerUnit(_ unit: Substring, allowingDays: Bool) -> UInt64? {
        switch unit {
        case "ns": 1
        case "us", "µs", "μs": 1_000
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
    /// - Parameter allowingDays: also accept `d` (24 hours), which Go itself does not.
    /// - Throws: ``ParseError/malformed`` or ``ParseError/outOfRange``.
    public static func parse(_ text: String, allowingDays: Bool = false) throws(ParseError) -> Duration {
        var rest = Substring(text)
        guard !rest.isEmpty else { throw .malformed }
        if rest == "0" { return .zero }
        var total: UInt64 = 0
        while !rest.isEmpty {
            let whole = rest.prefix(while: \.isASCIIDigit)
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: \.isASCIIDigit)
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { throw .malformed }
            let unitText = rest.prefix { !$0.isASCIIDigit && $0 != "." }
            rest = rest.dropFirst(unitText.count)
            guard let unit = nanosecondsPerUnit(unitText, allowingDays: allowingDays) else { throw .malformed }
            let term = try nanoseconds(whole: whole, fraction: fraction, unit: unit)
            let (sum, overflow) = total.addingReportingOverflow(term)
            guard !overflow, sum <= UInt64(Int64.max) else { throw .outOfRange }
            total = sum
        }
        return .nanoseconds(Int64(total))
    }

    /// `whole.fraction × unit` in nanoseconds, rounded down, checked for overflow.
    private static func nanoseconds(whole: Substring, fraction: Substring, unit: UInt64) throws(ParseError) -> UInt64 {
        var value: UInt64 = 0
        for digit in whole {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.addingReportingOverflow(UInt64(digit.asciiValue! - 48))
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
            fractional += UInt64(digit.asciiValue! - 48) * scale
        }
        let (sum, overflowSum) = scaled.addingReportingOverflow(fractional)
        guard !overflowSum else { throw .outOfRange }
        return sum
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
