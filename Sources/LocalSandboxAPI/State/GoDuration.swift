import Foundation

/// Parses Go-style durations (`30m`, `1h30m`, `1.5s`, `250ms`), as the Sandbox API's `since` takes them.
public enum GoDuration {
    /// The duration, or nil when the text is not a Go duration.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return .zero }
        var total = 0.0
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) && !(rest.hasPrefix("ms") && $0.0 == "m") }) else {
                return nil
            }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return .nanoseconds(Int64(total * 1e9))
    }
}
