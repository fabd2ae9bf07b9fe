import Foundation
import Synchronization

/// `local serve --rate-limit N`: at most N API requests a second per API token (a token bucket with a
/// burst of N, at least 1), as a real API under quota answers; beyond it, 429 with `Retry-After` in whole
/// seconds.
/// Requests without a token share one bucket.
final class RequestRateLimit: Sendable {
    /// Requests a second.
    let rate: Double
    /// The most requests at once: the rate, at least 1.
    var burst: Double { max(1, rate) }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])

    /// A limit of `rate` requests a second (and a burst of as many).
    init(rate: Double) {
        self.rate = rate
    }

    /// Takes a token from the bucket of `key`: nil when the request may go ahead, else how long until
    /// one is available.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) -> Duration? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            bucket.tokens = min(burst, bucket.tokens + rate * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int64(((1 - bucket.tokens) / rate * 1000).rounded(.up)))
        }
    }

    /// `Retry-After` for a wait: whole seconds, at least 1 (the header has no finer unit).
    static func retryAfter(_ wait: Duration) -> String {
        String(max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up))))
    }
}
