import ArgumentParser
import WireFormats

/// Durations on the command line: Go's form (`500ms`, `90s`, `5m`, `1h30m`) plus days (`2d`), each
/// flag with its own range, so no value can overflow the arithmetic done with it.
enum DurationFlag {
    /// The longest timer a flag may set (`--timeout`, `--resync`, `--lease`, grace periods): 365 days.
    static let longestTimer = Duration.seconds(365 * 86_400)

    /// The duration of `flag`'s value, or a usage error saying what is wrong with it.
    ///
    /// - Parameters:
    ///   - allowingDays: whether `d` is accepted (not for values passed on to the Sandbox API as is).
    static func parse(
        _ text: String, flag: String, example: String, minimum: Duration = .zero, maximum: Duration = longestTimer,
        allowingDays: Bool = true
    ) throws -> Duration {
        let duration: Duration
        do {
            duration = try GoDuration.parse(text, allowingDays: allowingDays)
        } catch .malformed {
            throw ValidationError("\(flag) '\(text)' is not a duration such as \(example)")
        } catch .outOfRange {
            throw ValidationError("\(flag) '\(text)' is out of range: at most \(describe(maximum))")
        }
        guard duration >= minimum, duration <= maximum else {
            throw ValidationError("\(flag) '\(text)' is out of range: between \(describe(minimum)) and \(describe(maximum))")
        }
        return duration
    }

    /// `365d`, `1s`, `100ms`: the largest whole unit that fits (whole days, rounded down, from a day on).
    private static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        if seconds == 0 { return "\(duration.components.attoseconds / 1_000_000_000_000_000)ms" }
        if seconds >= 86_400 { return "\(seconds / 86_400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        return "\(seconds)s"
    }
}
