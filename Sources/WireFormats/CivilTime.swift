/// A UTC instant as a proleptic Gregorian date and a time of day, to the millisecond: the calendar
/// arithmetic behind the timestamps porter-fleet writes (RFC 3339 for the Sandbox API, the SQLite store's
/// `YYYY-MM-DD HH:MM:SS.SSS`), on integers (H. Hinnant's `civil_from_days` and `days_from_civil`) rather
/// than through a `DateFormatter`.
public struct CivilTime: Equatable, Sendable {
    /// The year (astronomical numbering: year 0 is 1 BC).
    public var year: Int64
    /// The month, 1–12.
    public var month: Int64
    /// The day of the month, 1–31.
    public var day: Int64
    /// The hour, 0–23.
    public var hour: Int64
    /// The minute, 0–59.
    public var minute: Int64
    /// The second, 0–59.
    public var second: Int64
    /// The millisecond, 0–999.
    public var millisecond: Int64

    /// How the milliseconds are written.
    public enum Fraction: Sendable {
        /// Always `.SSS`.
        case always
        /// `.SSS` only when the instant is not a whole second.
        case whenNotWhole
    }

    /// The instant `milliseconds` after 1970-01-01T00:00:00Z (before it when negative).
    public init(millisecondsSince1970 milliseconds: Int64) {
        let (days, millisecondOfDay) = Self.flooredDivision(milliseconds, by: 86_400_000)
        (year, month, day) = Self.date(daysSince1970: days)
        let secondOfDay = millisecondOfDay / 1000
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        millisecond = millisecondOfDay % 1000
    }

    /// `YYYY-MM-DD`, `separator`, `HH:MM:SS`, then `.SSS` as `fraction` says. A year outside 0–9999 is
    /// written with as many digits as it takes.
    public func text(separator: Character, fraction: Fraction) -> String {
        var text = ""
        text.reserveCapacity(23)
        text += (0...9999).contains(year) ? Self.digits(year, 4) : String(year)
        text += "-" + Self.digits(month, 2) + "-" + Self.digits(day, 2) + String(separator)
        text += Self.digits(hour, 2) + ":" + Self.digits(minute, 2) + ":" + Self.digits(second, 2)
        if fraction == .always || millisecond != 0 { text += "." + Self.digits(millisecond, 3) }
        return text
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func date(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Quotient and non-negative remainder.
    private static func flooredDivision(_ value: Int64, by divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// `value` (not negative) with at least `width` digits, zeros first.
    private static func digits(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
