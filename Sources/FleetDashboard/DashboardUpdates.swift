import FleetStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

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

    private struct Listeners {
        var next = 0
        var continuations: [Int: AsyncStream<Notice>.Continuation] = [:]
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

    /// A stream of notices for one page; it ends when the service stops.
    func listen() -> AsyncStream<Notice> {
        let (stream, continuation) = AsyncStream.makeStream(of: Notice.self, bufferingPolicy: .bufferingNewest(1))
        let id = listeners.withLock { listeners in
            listeners.next += 1
            listeners.continuations[listeners.next] = continuation
            return listeners.next
        }
        continuation.onTermination = { [weak self] _ in self?.listeners.withLock { _ = $0.continuations.removeValue(forKey: id) } }
        return stream
    }

    /// How many pages listen.
    var listenerCount: Int { listeners.withLock { $0.continuations.count } }

    /// Watches the store while pages listen, until the service group shuts down; then ends every stream.
    public func run() async throws {
        var last: StoreRevisions?
        var sinceHeartbeat = Duration.zero
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard listenerCount > 0 else {
                last = nil
                continue
            }
            sinceHeartbeat += interval
            do {
                let revisions = try await store.revisions()
                if let previous = last, previous != revisions {
                    broadcast(.changed(desired: revisions.desired, reconciler: revisions.reconciler))
                    sinceHeartbeat = .zero
                }
                last = revisions
            } catch {
                logger.debug("dashboard updates: cannot read the store's revisions: \(error)")
            }
            if sinceHeartbeat >= .seconds(15) {
                broadcast(.heartbeat)
                sinceHeartbeat = .zero
            }
        }
        let all = listeners.withLock { listeners in
            defer { listeners.continuations.removeAll() }
            return Array(listeners.continuations.values)
        }
        for continuation in all { continuation.finish() }
    }

    private func broadcast(_ notice: Notice) {
        for continuation in listeners.withLock({ Array($0.continuations.values) }) { continuation.yield(notice) }
    }
}
