import FleetTestSupport
import Foundation
import Testing

@testable import FleetReconciler

@Suite("Flow control: the AIMD limit, the learned rate, permits and pauses")
struct FlowControlTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func slowStartGrowsByOneAGoodAnswerOnlyWhileTheLimitIsInUse() {
        var limit = AdaptiveConcurrency(initial: 4, ceiling: 6)
        limit.record(.answered(status: 201), operation: "runSandbox", latency: 0.01, sentAt: start, inFlight: 1, now: start)
        #expect(limit.limit == 4, "one call in flight of four: the limit is not in use")
        for _ in 0..<5 { limit.record(.answered(status: 201), operation: "runSandbox", latency: 0.01, sentAt: start, inFlight: 4, now: start) }
        #expect(limit.limit == 6, "capped by the ceiling")
        limit.record(.answered(status: 404), operation: "getSandbox", latency: 0.01, sentAt: start, inFlight: 4, now: start)
        #expect(limit.limit == 6)
    }

    @Test func aBurstOfThrottledAnswersHalvesTheLimitOnceAndEndsSlowStart() {
        var limit = AdaptiveConcurrency(initial: 32, ceiling: 64)
        let later = start.addingTimeInterval(0.05)
        for _ in 0..<20 { limit.record(.answered(status: 429), operation: "runSandbox", latency: 0.01, sentAt: start, inFlight: 32, now: later) }
        #expect(limit.limit == 16, "twenty 429s to attempts sent before the first decrease count once")
        #expect(!limit.slowStart)
        limit.record(.answered(status: 503), operation: "runSandbox", latency: 0.01, sentAt: later.addingTimeInterval(0.01), inFlight: 16, now: later.addingTimeInterval(0.02))
        #expect(limit.limit == 8, "an attempt sent after the decrease counts again")
        limit.record(.timeout, operation: "runSandbox", latency: 30, sentAt: later.addingTimeInterval(1), inFlight: 8, now: later.addingTimeInterval(2))
        #expect(limit.limit == 4)
        limit.record(.transport, operation: "runSandbox", latency: 0.01, sentAt: later.addingTimeInterval(3), inFlight: 4, now: later.addingTimeInterval(3))
        #expect(limit.limit == 4, "a refused connection is not congestion")
        limit.record(.answered(status: 201), operation: "runSandbox", latency: 0.01, sentAt: later.addingTimeInterval(4), inFlight: 4, now: later.addingTimeInterval(4))
        #expect(limit.limit == 4.25, "after congestion: one a round trip (1/limit an answer)")
    }

    @Test func risingLatencyLowersTheLimitAndFloorIsOne() {
        var limit = AdaptiveConcurrency(initial: 10, ceiling: 64)
        limit.record(.answered(status: 200), operation: "listSandboxes", latency: 0.010, sentAt: start, inFlight: 1, now: start)
        limit.record(.answered(status: 200), operation: "listSandboxes", latency: 0.030, sentAt: start, inFlight: 1, now: start)
        #expect(limit.limit == 10, "3× the baseline but only 20 ms more: jitter")
        limit.record(.answered(status: 200), operation: "listSandboxes", latency: 0.200, sentAt: start, inFlight: 10, now: start.addingTimeInterval(1))
        #expect(limit.limit == 8)
        limit.record(.answered(status: 201), operation: "runSandbox", latency: 0.200, sentAt: start.addingTimeInterval(2), inFlight: 1, now: start.addingTimeInterval(2))
        #expect(limit.limit == 8, "another operation has a baseline of its own")
        var floor = AdaptiveConcurrency(initial: 1, ceiling: 1)
        floor.record(.answered(status: 429), operation: "runSandbox", latency: 0.01, sentAt: start, inFlight: 1, now: start)
        #expect(floor.permits == 1)
    }

    @Test func theRateIsLearnedFromGoodAnswersAtTheFirstThrottleAndForgottenAfterAMinute() throws {
        var rate = LearnedRate()
        rate.recordThrottle(sentAt: start, now: start)
        #expect(rate.rate == nil, "no answers to measure: the pause alone")
        for index in 0..<100 { rate.recordGood(now: start.addingTimeInterval(1 + Double(index) / 100)) }
        #expect(rate.rate == nil, "no pacing before the API throttles")
        let throttled = start.addingTimeInterval(2)
        rate.recordThrottle(sentAt: throttled, now: throttled)
        let learned = try #require(rate.rate)
        #expect(abs(learned - 90) <= 9, "90% of about 100 good answers a second: \(learned)")
        rate.recordThrottle(sentAt: start.addingTimeInterval(1.5), now: throttled.addingTimeInterval(0.01))
        #expect(rate.rate == learned, "sent before the last throttle: the same episode")
        rate.recordGood(now: throttled.addingTimeInterval(5), paced: false)
        #expect(rate.rate == learned, "not sending at the rate: it does not grow")
        rate.recordGood(now: throttled.addingTimeInterval(10))
        #expect(abs(rate.rate! - learned * 1.1) < 1, "2% a second for 5 s: \(rate.rate!)")
        rate.recordGood(now: throttled.addingTimeInterval(61))
        #expect(rate.rate == nil)
    }

    @Test func permitsBoundCallsInFlightAndAReleaseLetsTheNextOneIn() async throws {
        var options = FlowControl.Options()
        options.initial = 2
        let flow = FlowControl(options: options, clock: ManualClock())
        try await flow.acquire()
        try await flow.acquire()
        let third = Task { try await flow.acquire() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(flow.snapshot.inFlight == 2, "the third call waits")
        await flow.release()
        try await third.value
        #expect(flow.snapshot.inFlight == 2)
        let cancelled = Task { try await flow.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(flow.snapshot.inFlight == 2)
    }

    @Test func retryAfterPausesEveryAttemptAndThenTheyArePacedAtTheLearnedRate() async throws {
        let clock = ManualClock()
        let flow = FlowControl(clock: clock)
        try await answerWell(50, flow, clock)
        let sent = try await flow.beforeAttempt()
        await flow.record(.answered(status: 429), operation: "runSandbox", latency: .milliseconds(5), sentAt: sent, retryAfter: .seconds(2))
        let paused = try #require(flow.snapshot.pausedUntil)
        #expect(paused == clock.now().addingTimeInterval(2))
        let waiting = (0..<3).map { _ in Task { try await flow.beforeAttempt() } }
        try await clock.waitForSleepers(3)
        clock.advance(by: 2)
        // Time moves on in small steps while the three wait for their paced turns.
        let ticker = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(1))
                clock.advance(by: 0.005)
            }
        }
        var slots: [Date] = []
        for task in waiting { slots.append(try await task.value) }
        ticker.cancel()
        #expect(slots.allSatisfy { $0 >= paused }, "nobody went before the pause ended")
        let rate = try #require(flow.snapshot.learnedRate)
        let spacing = zip(slots.sorted(), slots.sorted().dropFirst()).map { $1.timeIntervalSince($0) }
        #expect(spacing.allSatisfy { $0 >= 1 / rate - 0.001 }, "paced at \(rate)/s: \(spacing)")
    }

    /// Found by the throttled benchmark: attempts already waiting for their paced turn when a `Retry-After`
    /// arrived went ahead inside the pause (and were all throttled).
    @Test func anAttemptWaitingForItsTurnWhenAPauseBeginsWaitsOutThePause() async throws {
        let clock = ManualClock()
        let flow = FlowControl(clock: clock)
        try await answerWell(50, flow, clock)
        let throttled = try await flow.beforeAttempt()
        await flow.record(.answered(status: 429), operation: "runSandbox", latency: .milliseconds(5), sentAt: throttled, retryAfter: nil)
        #expect(flow.snapshot.learnedRate != nil && flow.snapshot.pausedUntil == nil)
        _ = try await flow.beforeAttempt()  // takes the turn now
        let waiting = Task { try await flow.beforeAttempt() }  // waits for the next turn
        try await clock.waitForSleepers(1)
        let pausedAt = clock.now()
        await flow.record(.answered(status: 429), operation: "runSandbox", latency: .milliseconds(5), sentAt: pausedAt, retryAfter: .seconds(3))
        let ticker = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(1))
                clock.advance(by: 0.05)
            }
        }
        let sent = try await waiting.value
        ticker.cancel()
        #expect(sent >= pausedAt.addingTimeInterval(3), "sent \(sent.timeIntervalSince(pausedAt)) s into a 3 s pause")
    }

    /// `count` good answers to `flow`, 10 ms apart on `clock` (100 a second: enough to measure a rate).
    private func answerWell(_ count: Int, _ flow: FlowControl, _ clock: ManualClock) async throws {
        for _ in 0..<count {
            let sent = try await flow.beforeAttempt()
            await flow.record(.answered(status: 201), operation: "runSandbox", latency: .milliseconds(5), sentAt: sent, retryAfter: nil)
            clock.advance(by: 0.01)
        }
    }

    @Test func routesAndRetryAfterHeadersAreRead() {
        #expect(APIRoute.template(of: "/v1/sandbox/sbx_123/logs?tail=5") == "/v1/sandbox/{id}/logs")
        #expect(APIRoute.template(of: "/v1/sandbox/run") == "/v1/sandbox/run")
        #expect(APIRoute.template(of: "/v1/sandbox?page=2") == "/v1/sandbox")
        #expect(APIRoute.template(of: "/v1/volume/vol_1/files/content") == "/v1/volume/{id}/files/content")
        #expect(RetryAfter.parse("3") == .seconds(3))
        #expect(RetryAfter.parse("-1") == nil && RetryAfter.parse("soon") == nil && RetryAfter.parse(nil) == nil)
        let now = Date(timeIntervalSince1970: 1_784_000_000)
        #expect(RetryAfter.parse("Tue, 14 Jul 2026 03:33:30 GMT", now: now) == .milliseconds(10_000))
    }
}
