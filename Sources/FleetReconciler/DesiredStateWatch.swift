import FleetStore
import Foundation
import Synchronization

/// Watches the desired-state revision while a pass sends its actions, so that a pass planned from a
/// desired state that has since changed stops sending: a set deleted a second after it was applied is
/// not created in full and then terminated. The revision is read at most once per `interval`, and only
/// while actions are still waiting to be sent.
final class DesiredStateWatch: Sendable {
    private let store: any FleetStore
    private let planned: Int64
    private let interval: Duration
    private let reads = Mutex<(last: ContinuousClock.Instant?, changed: Bool)>((nil, false))

    /// Watches for a revision other than `planned`, the one the pass was planned from.
    init(store: any FleetStore, planned: Int64, interval: Duration = .milliseconds(250)) {
        self.store = store
        self.planned = planned
        self.interval = interval
    }

    /// Whether the desired state has changed since the pass was planned. An unreadable revision counts
    /// as unchanged: the pass's own writes are fenced and say so.
    func hasChanged() async -> Bool {
        let due = reads.withLock { reads -> Bool in
            let now = ContinuousClock.now
            guard !reads.changed, reads.last.map({ now - $0 >= interval }) ?? true else { return false }
            reads.last = now
            return true
        }
        guard due else { return reads.withLock { $0.changed } }
        guard let revision = try? await store.revision(), revision != planned else { return false }
        reads.withLock { $0.changed = true }
        return true
    }
}
