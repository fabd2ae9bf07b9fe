import FleetReconciler
import Foundation
import Synchronization

/// Real time, which a test can move forward (to get past a backoff or a lease) while sleeps, servers and
/// everything else run as they do; ``ManualClock`` is the clock that moves only when told.
public final class OffsetClock: FleetClock {
    private let offset = Mutex<TimeInterval>(0)

    /// A clock at the real time.
    public init() {}

    public func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }

    /// Moves the clock `seconds` ahead of real time, for good.
    public func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}
