import Foundation

/// The additive-increase, multiplicative-decrease rule (AIMD, as in TCP congestion control and Netflix's
/// concurrency-limits) that sets how many API calls may be in flight.
///
/// - A good answer while the limit is in use (at least half of it in flight) raises it, up to the ceiling:
///   by one until the first sign of congestion (slow start: the limit doubles every round trip), by
///   1/limit after it (one a round trip). An idle limit does not grow: it would say nothing about the
///   API's capacity.
/// - A 429, a 503 or a timeout halves it; an answer much slower than the usual one for its operation
///   (rising latency: over twice the baseline and 25 ms more) lowers it by a fifth.
/// - At most one decrease per round trip: answers to attempts sent before the last decrease do not lower
///   it again, so one burst of throttled answers counts once.
public struct AdaptiveConcurrency: Sendable, Equatable {
    /// The current limit (fractional; calls in flight may reach its whole part, at least 1).
    public private(set) var limit: Double
    /// The most it may grow to: `--concurrency`.
    public let ceiling: Double
    /// When the limit last went down.
    public private(set) var lastDecrease: Date?
    /// How many times the limit went down.
    public private(set) var decreases = 0
    /// Whether no congestion was seen yet (the limit grows by one a good answer).
    public private(set) var slowStart = true
    /// The usual latency of each operation: the fastest seen, drifting slowly upward.
    private var baselines: [String: Double] = [:]

    /// Factor of a decrease on a throttle or timeout.
    static let congestionBackoff = 0.5
    /// Factor of a decrease on rising latency.
    static let latencyBackoff = 0.8
    /// Latency counts as rising above this multiple of the baseline...
    static let latencyTolerance = 2.0
    /// ...and this many seconds above it (so jitter of fast local answers is not a signal).
    static let latencySlack = 0.025

    /// A limit starting at `initial`, never above `ceiling` nor below 1.
    public init(initial: Int, ceiling: Int) {
        self.ceiling = Double(max(1, ceiling))
        self.limit = min(Double(max(1, initial)), Double(max(1, ceiling)))
    }

    /// Calls that may be in flight now.
    public var permits: Int { max(1, Int(limit)) }

    /// Learns from one attempt that was sent at `sentAt` and answered (or failed) `latency` seconds later,
    /// with `inFlight` calls in flight. Returns whether the limit changed.
    @discardableResult
    public mutating func record(
        _ outcome: AttemptOutcome, operation: String, latency: TimeInterval, sentAt: Date, inFlight: Int, now: Date
    ) -> Bool {
        let before = limit
        if outcome.isCongestion {
            decrease(by: Self.congestionBackoff, sentAt: sentAt, now: now)
        } else if outcome.isAnswerWithoutPushback {
            if latencyIsRising(latency, operation: operation) {
                decrease(by: Self.latencyBackoff, sentAt: sentAt, now: now)
            } else if Double(inFlight) * 2 >= limit {
                limit = min(ceiling, limit + (slowStart ? 1 : 1 / limit))
            }
            learnBaseline(latency, operation: operation)
        }
        return limit != before
    }

    private mutating func decrease(by factor: Double, sentAt: Date, now: Date) {
        if let lastDecrease, sentAt < lastDecrease { return }
        limit = max(1, limit * factor)
        lastDecrease = now
        slowStart = false
        decreases += 1
    }

    private func latencyIsRising(_ latency: TimeInterval, operation: String) -> Bool {
        guard let baseline = baselines[operation] else { return false }
        return latency > baseline * Self.latencyTolerance && latency - baseline > Self.latencySlack
    }

    /// The fastest answer sets the baseline at once; slower ones move it up by 1% of the difference, so a
    /// lasting change of the API's speed becomes the new normal over a few hundred answers.
    private mutating func learnBaseline(_ latency: TimeInterval, operation: String) {
        guard let baseline = baselines[operation] else {
            baselines[operation] = latency
            return
        }
        baselines[operation] = latency < baseline ? latency : baseline + (latency - baseline) * 0.01
    }
}
