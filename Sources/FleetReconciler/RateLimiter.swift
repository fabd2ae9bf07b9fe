import Foundation

/// A token bucket: at most `rate` calls a second on average, bursts up to `burst`, timed by the
/// controller's clock.
actor RateLimiter {
    private let rate: Double
    private let burst: Double
    private let clock: any FleetClock
    private var tokens: Double
    private var last: Date

    init(rate: Double, burst: Int, clock: any FleetClock) {
        self.rate = max(0.001, rate)
        self.burst = Double(max(1, burst))
        self.clock = clock
        self.tokens = Double(max(1, burst))
        self.last = clock.now()
    }

    /// Waits until a call may be made.
    func acquire() async throws {
        while true {
            refill()
            if tokens >= 1 {
                tokens -= 1
                return
            }
            try await clock.sleep(for: .interval((1 - tokens) / rate))
        }
    }

    /// Adds the tokens earned since the last look, up to the burst.
    private func refill() {
        let now = clock.now()
        tokens = min(burst, tokens + rate * max(0, now.timeIntervalSince(last)))
        last = now
    }
}
