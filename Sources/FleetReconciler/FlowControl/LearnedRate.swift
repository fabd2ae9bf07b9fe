import Foundation

/// The rate the API accepts, learned from its throttling: nil (no pacing) until a 429 or 503 arrives
/// after enough good answers to measure; then 90% of the rate of good answers over the last second,
/// lowered by the same rule on every later throttle (once per round trip) and raised by 2% a second (at
/// least 1 call a second) while answers come back good and the controller sends as fast as the rate lets it. Forgotten a minute after the last throttle.
///
/// Concurrency alone cannot keep a client under a quota counted in requests a second: at 5 ms an answer,
/// one call in flight already sends 200 a second. Pacing at the learned rate is what keeps 429s rare once
/// the quota is known.
public struct LearnedRate: Sendable, Equatable {
    /// Calls a second the API accepts, when it has throttled lately.
    public private(set) var rate: Double?
    /// When the API last throttled.
    public private(set) var lastThrottle: Date?
    private var lastIncrease: Date?
    private var recentGood = SlidingCount(window: 1, buckets: 10)

    /// The share of the measured rate kept on a throttle.
    static let backoff = 0.9
    /// Growth a second while answers are good, as a share of the rate.
    static let growth = 0.02
    /// How long after the last throttle the rate is forgotten.
    static let memory: TimeInterval = 60

    /// No rate learned yet.
    public init() {}

    /// A good answer at `now`; `paced` says whether attempts lately waited for their paced turn. Only then
    /// does the rate grow: a rate the controller does not reach says nothing new about the API (as TCP does
    /// not grow a window the sender does not fill).
    public mutating func recordGood(now: Date, paced: Bool = true) {
        recentGood.add(at: now)
        guard let current = rate else { return }
        if let lastThrottle, now.timeIntervalSince(lastThrottle) > Self.memory {
            rate = nil
            return
        }
        defer { lastIncrease = now }
        guard paced else { return }
        let elapsed = lastIncrease.map { max(0, now.timeIntervalSince($0)) } ?? 0
        rate = current + max(1, current * Self.growth) * elapsed
    }

    /// A throttled answer at `now` to an attempt sent at `sentAt`. With fewer than ten good answers in the
    /// last second there is no rate to learn from (the `Retry-After` pause alone applies); otherwise the
    /// rate becomes 90% of the measured one, and never drops below half of what it was in one step.
    public mutating func recordThrottle(sentAt: Date, now: Date) {
        if let lastThrottle, sentAt < lastThrottle { return }
        lastThrottle = now
        lastIncrease = now
        let good = recentGood.count(at: now)
        guard good >= Self.minimumSample || rate != nil else { return }
        let measured = Double(good) / recentGood.window * Self.backoff
        rate = max(1, rate.map { min($0 * Self.backoff, max(measured, $0 / 2)) } ?? measured)
    }

    /// Good answers in the last second needed to measure a rate.
    static let minimumSample = 10
}

/// Events counted over a sliding window, in buckets.
struct SlidingCount: Sendable, Equatable {
    /// The window, in seconds.
    let window: TimeInterval
    private var counts: [Int]
    private var bucketStarts: [TimeInterval]

    init(window: TimeInterval, buckets: Int) {
        self.window = window
        self.counts = Array(repeating: 0, count: buckets)
        self.bucketStarts = Array(repeating: -.infinity, count: buckets)
    }

    private var bucketLength: TimeInterval { window / Double(counts.count) }

    mutating func add(at date: Date) {
        let time = date.timeIntervalSinceReferenceDate
        let slot = Int((time / bucketLength).rounded(.down))
        let index = ((slot % counts.count) + counts.count) % counts.count
        let start = Double(slot) * bucketLength
        if bucketStarts[index] != start {
            bucketStarts[index] = start
            counts[index] = 0
        }
        counts[index] += 1
    }

    func count(at date: Date) -> Int {
        let oldest = date.timeIntervalSinceReferenceDate - window
        return zip(counts, bucketStarts).reduce(0) { total, bucket in bucket.1 > oldest - bucketLength ? total + bucket.0 : total }
    }
}
