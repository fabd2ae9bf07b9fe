import FleetReconciler
import Foundation
import Synchronization

/// Time that moves only when a test says so, shared by the controller, its daemon, the fake backend and
/// the stores' timestamps. Sleepers wake when ``advance(by:)`` passes their deadline, so lease expiry,
/// backoffs and resync intervals are tested without waiting.
public final class ManualClock: FleetClock {
    private struct Sleeper {
        var id: UInt64
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// A clock at a fixed instant in 2027.
    public init() {}

    /// Now, as far as the test is concerned.
    @Sendable public func now() -> Date { state.withLock { $0.now } }

    /// Suspends until the clock has been advanced by `duration`, or the task is cancelled.
    public func sleep(for duration: Duration) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    let deadline = state.now.addingTimeInterval(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
                    guard deadline > state.now, !Task.isCancelled else { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time on and wakes every sleeper whose deadline has come.
    public func advance(by seconds: TimeInterval) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = state.now.addingTimeInterval(seconds)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// How many tasks are sleeping on this clock and wake within `seconds` (all when nil).
    private func sleepers(dueWithin seconds: TimeInterval?) -> Int {
        state.withLock { state in
            guard let seconds else { return state.sleepers.count }
            return state.sleepers.filter { $0.deadline <= state.now.addingTimeInterval(seconds) }.count
        }
    }

    /// How many tasks are sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Returns once `count` tasks are asleep on this clock: the point where every task driven by it has
    /// finished reacting to the last ``advance(by:)``. Gives up after `timeout` of real time (generous: a
    /// loaded machine with blocked cooperative threads can hold a task back for seconds).
    ///
    /// With `dueWithin`, only sleepers that wake within that many seconds count: a daemon's loop, asleep
    /// for its short tick, is told apart from a long sleep beside it (the lease keeper of a pass).
    public func waitForSleepers(_ count: Int = 1, dueWithin: TimeInterval? = nil, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while sleepers(dueWithin: dueWithin) < count {
            guard ContinuousClock.now < deadline else { throw ManualClockTimeout(expected: count, sleeping: sleepers(dueWithin: dueWithin)) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// Tasks driven by a ``ManualClock`` did not go back to sleep in time.
public struct ManualClockTimeout: Error, CustomStringConvertible {
    /// The sleepers waited for.
    public var expected: Int
    /// The sleepers there were.
    public var sleeping: Int
    public var description: String { "expected \(expected) task(s) asleep on the manual clock, found \(sleeping)" }
}
