import Foundation
import WireFormats

/// Faults the local Sandbox API injects, for reliability tests. Written `--faults` as comma-separated
/// `key=value` pairs:
///
/// | key | value | effect |
/// | --- | --- | --- |
/// | `5xx` | rate 0–1 | answer 503 before doing anything |
/// | `429` | rate 0–1 | answer 429 before doing anything |
/// | `latency` | duration (`50ms`) | add a uniformly random delay up to this to every API request |
/// | `drop` | rate 0–1 | on a create, delete, write or move: do it, then reset the connection without answering |
/// | `kill` | rate per second | kill running sandboxes out of band (`failed`, `backend_lost`), per running sandbox |
///
/// Example: `5xx=0.1,429=0.05,latency=20ms,drop=0.02,kill=0.01`. Faults apply to `/v1/...` only, never
/// to `/healthz` and `/readyz`, and draw from one random generator seeded with `--seed`.
public struct FaultSpec: Sendable, Equatable {
    /// Share of API requests answered 503.
    public var serverErrorRate = 0.0
    /// Share of API requests answered 429.
    public var rateLimitRate = 0.0
    /// The most latency added to an API request.
    public var maxLatency: Duration = .zero
    /// Share of mutating requests that take effect but get no answer.
    public var dropRate = 0.0
    /// Out-of-band kills per running sandbox per second.
    public var killRate = 0.0

    /// No faults.
    public static let none = FaultSpec()

    /// Creates a spec.
    public init(serverErrorRate: Double = 0, rateLimitRate: Double = 0, maxLatency: Duration = .zero, dropRate: Double = 0, killRate: Double = 0) {
        self.serverErrorRate = serverErrorRate
        self.rateLimitRate = rateLimitRate
        self.maxLatency = maxLatency
        self.dropRate = dropRate
        self.killRate = killRate
    }

    /// Whether any fault is on.
    public var isEmpty: Bool { self == .none }

    /// Parses the `--faults` syntax; the error names the offending pair.
    public init(parsing text: String) throws {
        self.init()
        for pair in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw FaultSpecError(message: "'\(pair)' is not key=value") }
            let (key, value) = (parts[0], parts[1])
            func rate() throws -> Double {
                guard let rate = Double(value), rate >= 0, rate <= 1 else {
                    throw FaultSpecError(message: "\(key)=\(value): the rate must be a number from 0 to 1")
                }
                return rate
            }
            switch key {
            case "5xx": serverErrorRate = try rate()
            case "429": rateLimitRate = try rate()
            case "drop": dropRate = try rate()
            case "kill":
                guard let rate = Double(value), rate >= 0, rate <= 1000 else {
                    throw FaultSpecError(message: "kill=\(value): the rate must be a number from 0 to 1000 kills per running sandbox per second")
                }
                killRate = rate
            case "latency":
                guard let duration = try? GoDuration.parse(value), duration <= .seconds(60) else {
                    throw FaultSpecError(message: "latency=\(value): expected a duration of at most 60s, such as 50ms")
                }
                maxLatency = duration
            default:
                throw FaultSpecError(message: "unknown fault '\(key)' (known: 5xx, 429, latency, drop, kill)")
            }
        }
    }
}

/// A `--faults` value that does not parse.
public struct FaultSpecError: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The message.
    public var description: String { "invalid --faults: \(message)" }
}
