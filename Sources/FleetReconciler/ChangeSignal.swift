import FleetStore
import Synchronization

/// What the daemon's loop learns from a store's change stream: whether the desired-state revision is
/// worth reading on this tick. Without a stream (or while it is interrupted) the answer is always yes.
final class ChangeSignal: Sendable {
    private struct State {
        var listening = false
        var pending = true
    }

    private let state = Mutex(State())

    /// Takes in one notification from the store.
    func receive(_ notification: StoreNotification) {
        state.withLock { state in
            switch notification {
            case .listening:
                state.listening = true
                state.pending = true  // changes made before listening began may have been missed
            case .changed:
                state.pending = true
            case .interrupted:
                state.listening = false
            }
        }
    }

    /// Whether to read the revision now; clears a pending change.
    func shouldCheckRevision() -> Bool {
        state.withLock { state in
            defer { state.pending = false }
            return !state.listening || state.pending
        }
    }
}
