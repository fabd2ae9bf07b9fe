import Foundation
import Synchronization

/// Adaptive flow control of a controller's API traffic: finds the API's capacity instead of assuming one.
///
/// - **Calls** (one SDK call, retries included) take a permit with ``acquire()``: at most
///   ``AdaptiveConcurrency/permits`` in flight, an AIMD limit between 1 and the ceiling (`--concurrency`),
///   and at most `--qps` a second when that hard cap is set.
/// - **Attempts** (each request on the wire, every retry too) go through ``beforeAttempt()`` and
///   ``record(_:operation:latency:sentAt:retryAfter:)``, from ``APIAttemptMiddleware``: they wait while
///   the API asked for a pause (`Retry-After`, honoured for every call in flight, not just the one that got
///   it) and are paced at the ``LearnedRate`` once the API has throttled; their outcomes move both limits.
///
/// docs/operations.md, "Flow control", explains the rules and how to cap them.
public actor FlowControl {
    /// The settings of a controller's flow control.
    public struct Options: Sendable, Equatable {
        /// Calls in flight at most, however fast the API answers (`--concurrency`).
        public var ceiling = 64
        /// Calls in flight at the start, before anything was learned.
        public var initial = 16
        /// A hard cap on calls a second (`--qps`), or nil for none.
        public var queriesPerSecond: Double?
        /// The longest pause a `Retry-After` can ask for (a bogus header must not stall the controller).
        public var longestPause: Duration = .seconds(60)

        /// The defaults: up to 64 in flight, no rate cap.
        public init() {}
    }

    /// What flow control is doing, readable without waiting (metrics, benchmarks).
    public struct Snapshot: Sendable, Equatable {
        /// The concurrency limit.
        public var limit: Double
        /// Calls in flight.
        public var inFlight: Int
        /// The learned rate, when the API has throttled lately.
        public var learnedRate: Double?
        /// How many times the concurrency limit went down (throttles, timeouts, rising latency).
        public var backoffs: Int
        /// Until when attempts wait, when the API asked for a pause.
        public var pausedUntil: Date?
    }

    private let options: Options
    private let clock: any FleetClock
    private let hardCap: RateLimiter?
    private var concurrency: AdaptiveConcurrency
    private var rate = LearnedRate()
    private var inFlight = 0
    private var pausedUntil: Date?
    private var nextPacedSend: Date?
    /// When an attempt last waited for its paced turn.
    private var lastPacedWait: Date?
    /// Calls whose attempt is waiting for a pause or its paced turn: in flight, but not using the limit.
    private var waitingToSend = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private let published: Mutex<Snapshot>

    /// Flow control with `options`, timed by `clock`.
    public init(options: Options = Options(), clock: any FleetClock = SystemFleetClock()) {
        self.options = options
        self.clock = clock
        self.hardCap = options.queriesPerSecond.map { RateLimiter(rate: $0, burst: max(1, Int($0)), clock: clock) }
        let concurrency = AdaptiveConcurrency(initial: options.initial, ceiling: options.ceiling)
        self.concurrency = concurrency
        self.published = Mutex(Snapshot(limit: concurrency.limit, inFlight: 0, learnedRate: nil, backoffs: 0, pausedUntil: nil))
    }

    /// The state as of the last change.
    public nonisolated var snapshot: Snapshot { published.withLock { $0 } }

    /// Waits for a call permit: the hard cap's token (when set), then a free slot under the limit.
    /// Pair every successful acquire with ``release()``.
    public func acquire() async throws {
        if let hardCap { try await hardCap.acquire() }
        while inFlight >= concurrency.permits {
            try await waitForSlot()
        }
        inFlight += 1
        publish()
    }

    /// Returns a call permit.
    public func release() {
        inFlight = max(0, inFlight - 1)
        wakeWaiters()
        publish()
    }

    /// Waits until an attempt may be sent: past any pause the API asked for, and at its turn when paced.
    /// Returns when it may be sent (the time its answer is judged by).
    public func beforeAttempt() async throws -> Date {
        while true {
            let now = clock.now()
            if let pausedUntil, pausedUntil > now {
                try await waitToSend(for: pausedUntil.timeIntervalSince(now))
                continue
            }
            guard let perSecond = rate.rate else { return now }
            let slot = max(now, nextPacedSend ?? now)
            nextPacedSend = slot.addingTimeInterval(1 / perSecond)
            guard slot > now else { return slot }
            lastPacedWait = now
            try await waitToSend(for: slot.timeIntervalSince(now))
            // A pause that began while this attempt waited for its turn voids the turn: wait it out first.
            if let pausedUntil, pausedUntil > clock.now() { continue }
            return slot
        }
    }

    /// Sleeps `seconds`, counted among the calls waiting to send.
    private func waitToSend(for seconds: TimeInterval) async throws {
        waitingToSend += 1
        defer { waitingToSend -= 1 }
        try await clock.sleep(for: .interval(seconds))
    }

    /// Learns from one attempt sent at `sentAt` that ended with `outcome` after `latency`; `retryAfter` is
    /// the pause the answer asked for, if any.
    public func record(_ outcome: AttemptOutcome, operation: String, latency: Duration, sentAt: Date, retryAfter: Duration?) {
        let now = clock.now()
        // Calls waiting for a pause or their paced turn hold a permit without using it: the limit is in
        // use only as far as calls are actually on the wire.
        let sending = max(0, inFlight - waitingToSend)
        concurrency.record(outcome, operation: operation, latency: latency.timeInterval, sentAt: sentAt, inFlight: sending, now: now)
        if outcome.isThrottle {
            rate.recordThrottle(sentAt: sentAt, now: now)
            if let retryAfter { pause(for: min(retryAfter, options.longestPause), now: now) }
        } else if outcome.isAnswerWithoutPushback {
            rate.recordGood(now: now, paced: lastPacedWait.map { now.timeIntervalSince($0) < 1 } ?? false)
        }
        wakeWaiters()
        publish()
    }

    private func pause(for duration: Duration, now: Date) {
        let until = now.addingTimeInterval(duration.timeInterval)
        if until > (pausedUntil ?? .distantPast) { pausedUntil = until }
        nextPacedSend = nil
    }

    private func waitForSlot() async throws {
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    /// Wakes as many waiters as there are free slots; each checks again.
    private func wakeWaiters() {
        let free = concurrency.permits - inFlight
        guard free > 0, !waiters.isEmpty else { return }
        let woken = waiters.prefix(free)
        waiters.removeFirst(woken.count)
        for waiter in woken { waiter.continuation.resume() }
    }

    private func publish() {
        let snapshot = Snapshot(
            limit: concurrency.limit, inFlight: inFlight, learnedRate: rate.rate, backoffs: concurrency.decreases, pausedUntil: pausedUntil)
        published.withLock { $0 = snapshot }
    }
}
