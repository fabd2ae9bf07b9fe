import Foundation

/// The one source of time for everything the controller decides and records: when a pass runs, when a
/// backoff ends, whether the lease is current, how long flow control waits, and the timestamps it
/// asks the store to write. Production uses ``SystemFleetClock``; tests move a manual clock by hand, so
/// lease expiry and backoffs are tested without sleeping.
///
/// Durations that are only measured and reported (pass timings, the metrics' histograms) use
/// `ContinuousClock`: they describe real work, not decisions.
public protocol FleetClock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends for `duration` of this clock's time. Throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The system's wall clock and `Task.sleep`.
public struct SystemFleetClock: FleetClock {
    /// The system clock.
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// A duration of `seconds` (negative values count as zero).
    static func interval(_ seconds: TimeInterval) -> Duration {
        .milliseconds(Int64((max(0, seconds) * 1000).rounded(.up)))
    }
}
