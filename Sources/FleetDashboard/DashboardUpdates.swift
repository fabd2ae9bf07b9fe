import FleetStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Where a page listens for the changes after the revisions it shows.
func updatesPath(_ revisions: StoreRevisions) -> String {
    "/api/v1/updates?desired=\(revisions.desired)&reconciler=\(revisions.reconciler)" + (revisions.pruneAllRequested.map { "&prune=\($0)" } ?? "")
}

/// Tells open dashboard pages that the fleet changed. While at least one page listens, a watcher reads
/// the store's revisions every half second (so at most two notices a second, and none for a pass that
/// changed nothing, which writes nothing); every listener holds at most one pending notice, so a page that
/// reads slowly never makes the server hold more. A heartbeat every 15 s finds pages that went away.
public final class DashboardUpdates: Service, Sendable {
    /// What a listener is told.
    enum Notice: Sendable, Equatable {
        /// The store changed; the desired and reconciler revisions.
        case changed(desired: Int64, reconciler: Int64)
        /// Nothing changed; the connection is still there.
        case heartbeat
    }

    /// A page's stream, and the revisions it last showed or was told of.
    private struct Listener {
        var continuation: AsyncStream<Notice>.Continuation
        var seen: StoreRevisions
    }

    private struct Listeners {
        var next = 0
        var all: [Int: Listener] = [:]
    }

    private let store: any FleetStore
    private let listeners = Mutex(Listeners())
    private let interval: Duration
    private let logger: Logger

    /// Updates for pages showing `store`.
    public init(store: any FleetStore, interval: Duration = .milliseconds(500), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// A stream of notices for a page that shows the store as of `seen`: it is told of every change after
    /// that (at once when there was one already); it ends when the service stops.
    func listen(since seen: StoreRevisions) -> AsyncStream<Notice> {
        let (stream, continuation) = AsyncStream.makeStream(of: Notice.self, bufferingPolicy: .bufferingNewest(1))
        let id = listeners.withLock { listeners in
            listeners.next += 1
            listeners.all[listeners.next] = Listener(continuation: continuation, seen: seen)
            return listeners.next
        }
        continuation.onTermination = { [weak self] _ in self?.listeners.withLock { _ = $0.all.removeValue(forKey: id) } }
        return stream
    }

    /// How many pages listen.
    var listenerCount: Int { listeners.withLock { $0.all.count } }

    /// Watches the store while pages listen, until the service group shuts down; then ends every stream.
    public func run() async throws {
        var sinceHeartbeat = Duration.zero
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard listenerCount > 0 else { continue }
            sinceHeartbeat += interval
            do {
                tell(try await store.revisions())
            } catch {
                logger.debug("dashboard updates: cannot read the store's revisions: \(error)")
            }
            if sinceHeartbeat >= .seconds(15) {
                for listener in listeners.withLock({ Array($0.all.values) }) { listener.continuation.yield(.heartbeat) }
                sinceHeartbeat = .zero
            }
        }
        let all = listeners.withLock { listeners in
            defer { listeners.all.removeAll() }
            return Array(listeners.all.values)
        }
        for listener in all { listener.continuation.finish() }
    }

    /// Tells every page that has not seen `revisions` of them.
    private func tell(_ revisions: StoreRevisions) {
        listeners.withLock { listeners in
            for (id, listener) in listeners.all where listener.seen != revisions {
                listener.continuation.yield(.changed(desired: revisions.desired, reconciler: revisions.reconciler))
                listeners.all[id]?.seen = revisions
            }
        }
    }
}
