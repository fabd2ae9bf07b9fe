import FleetStore
import Foundation
import Logging
import ServiceLifecycle

/// The controller daemon: holds the single-writer lease, runs a pass every resync interval, at once
/// when the desired state changes, and when a backoff ends; on graceful shutdown it finishes the pass
/// in flight, releases the lease and returns. It keeps time with the controller's ``FleetClock``.
public struct FleetControllerService: Service {
    let store: any FleetStore
    let controller: FleetController
    let metrics: FleetMetrics
    let resync: Duration
    let holder: String
    let logger: Logger
    /// How long a lease lasts unless renewed; it is renewed every third of that.
    let leaseDuration: TimeInterval
    var renewEvery: TimeInterval { leaseDuration / 3 }
    /// Called after every pass (for progress output).
    let onPass: @Sendable (ReconcileResult) -> Void
    /// How often the loop looks at the lease and the desired-state revision.
    static let tick: Duration = .milliseconds(200)

    /// A daemon for `controller` on `store`.
    public init(
        store: any FleetStore, controller: FleetController, metrics: FleetMetrics, resync: Duration = .seconds(10),
        holder: String = "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)", leaseDuration: TimeInterval = 15,
        logger: Logger,
        onPass: @escaping @Sendable (ReconcileResult) -> Void = { _ in }
    ) {
        self.store = store
        self.controller = controller
        self.metrics = metrics
        self.resync = resync
        self.holder = holder
        self.leaseDuration = leaseDuration
        self.logger = logger
        self.onPass = onPass
    }

    /// What the loop remembers from one tick to the next.
    struct LoopState {
        var grant: LeaseGrant?
        var lastRenewal = Date.distantPast
        /// While another process holds the lease: when its grant expires (no point trying before).
        var otherHolderUntil = Date.distantPast
        var lastRevision: Int64 = -1
        var nextPass: Date
        var backoff = PassBackoff(base: .seconds(1), cap: .seconds(30))
    }

    public func run() async throws {
        let changes = ChangeSignal()
        await withTaskGroup(of: Void.self) { group in
            if let stream = store.desiredStateChanges() {
                group.addTask { for await notification in stream { changes.receive(notification) } }
            }
            await loop(changes: changes)
            group.cancelAll()
        }
    }

    /// Ticks until shutdown: the lease, then a pass when one is due; on the way out, the lease is released.
    private func loop(changes: ChangeSignal) async {
        let clock = controller.clock
        var state = LoopState(nextPass: clock.now())
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await holdLease(&state, now: clock.now())
            if let grant = state.grant, await passIsDue(&state, now: clock.now(), changes: changes) {
                await runPass(grant: grant, state: &state)
            }
            try? await clock.sleep(for: Self.tick)
        }
        if let grant = state.grant { try? await store.releaseLease(holder: holder, token: grant.token) }
        logger.notice("controller stopped")
    }

    /// Takes or renews the lease when it is due, and says when leadership changes. A standby tries again
    /// only once the holder's grant has expired; a leader that cannot renew (the store unreachable, or
    /// the lease taken over) stops acting at once, well before its grant could expire.
    func holdLease(_ state: inout LoopState, now: Date) async {
        if state.grant == nil, now < state.otherHolderUntil { return }
        guard state.grant == nil || now.timeIntervalSince(state.lastRenewal) >= renewEvery else { return }
        let previous = state.grant
        do {
            state.grant = try await store.acquireLease(holder: holder, duration: leaseDuration, now: now)
        } catch {
            state.grant = nil
            metrics.setRole(.storeUnavailable(Self.describe(error)))
            if previous != nil { logger.error("cannot renew the fleet lease; standing by", metadata: ["error": "\(Self.describe(error))"]) }
            return
        }
        state.lastRenewal = now
        switch (previous, state.grant) {
        case (nil, let grant?):
            logger.notice("holding the fleet lease", metadata: ["token": "\(grant.token)"])
            state.nextPass = now
            metrics.setRole(.leader(lastPassSucceeded: nil), leaseLeft: leaseLeft(renewedAt: now))
        case (_?, nil):
            logger.warning("lost the fleet lease; standing by")
            await standBy(&state, now: now)
        case (nil, nil):
            await standBy(&state, now: now)
        case (_?, _?):
            if metrics.role.isLeader {
                metrics.leaseRenewed(leaseLeft: leaseLeft(renewedAt: now))
            } else {
                metrics.setRole(.leader(lastPassSucceeded: nil), leaseLeft: leaseLeft(renewedAt: now))
            }
        }
    }

    /// How long a lease renewed at `renewedAt` (the controller's clock) has left now, in real time.
    private func leaseLeft(renewedAt: Date) -> Duration {
        .seconds(max(0, leaseDuration - controller.clock.now().timeIntervalSince(renewedAt)))
    }

    /// A store error in one line: where, and why (a password is never part of a store's location).
    static func describe(_ error: any Error) -> String {
        if case FleetStoreError.connectionFailed(let location, let detail) = error { return "\(location): \(detail)" }
        return "\(error)"
    }

    /// Notes who holds the lease, and until when.
    private func standBy(_ state: inout LoopState, now: Date) async {
        let other = try? await store.leaseHolder(now: now)
        state.otherHolderUntil = other?.expiresAt ?? .distantPast
        if metrics.role != .standby(holder: other?.holder) {
            logger.info("standing by", metadata: ["holder": "\(other?.holder ?? "unknown")"])
            metrics.setRole(.standby(holder: other?.holder))
        }
    }

    /// Whether a pass should run now: its time has come, or the desired state changed. With change
    /// notifications the revision is read only when one arrived (or while they are interrupted); without,
    /// it is read every tick.
    func passIsDue(_ state: inout LoopState, now: Date, changes: ChangeSignal = ChangeSignal()) async -> Bool {
        if changes.shouldCheckRevision() {
            let revision = (try? await store.revision()) ?? state.lastRevision
            if revision != state.lastRevision {
                state.lastRevision = revision
                return true
            }
        }
        return now >= state.nextPass
    }

    /// One pass under `grant`, then the time of the next: the resync, sooner when the pass asks to be
    /// requeued or has not converged, later after a failure (backing off).
    func runPass(grant: LeaseGrant, state: inout LoopState) async {
        await controller.setFencing(holder: holder, token: grant.token, leaseDuration: leaseDuration, renewedAt: state.lastRenewal)
        let started = ContinuousClock.now
        // The lease is renewed beside the pass, every third of it: a pass slowed by the rate limiter or a
        // slow API keeps its lease, and a standby takes over only from a leader that stopped.
        let keeper = Task { [controller, renewEvery, metrics, leaseDuration] in
            while !Task.isCancelled {
                try await controller.clock.sleep(for: .interval(renewEvery))
                do {
                    try await controller.renewLeaseIfDue()
                } catch {
                    // Not leading as of now: say so before the pass notices (it fails on its next fenced write).
                    metrics.setRole(error is LeaseLost ? .standby(holder: nil) : .storeUnavailable(Self.describe(error)))
                    throw error
                }
                if let renewed = await controller.lastLeaseRenewal {
                    metrics.leaseRenewed(leaseLeft: .seconds(max(0, leaseDuration - controller.clock.now().timeIntervalSince(renewed))))
                }
            }
        }
        defer { keeper.cancel() }
        do {
            let result = try await controller.reconcileOnce()
            metrics.record(result, duration: (ContinuousClock.now - started).timeInterval)
            let renewed = max(state.lastRenewal, await controller.lastLeaseRenewal ?? state.lastRenewal)
            if metrics.role.isLeader {
                metrics.setRole(.leader(lastPassSucceeded: result.failed.isEmpty), leaseLeft: leaseLeft(renewedAt: renewed))
            }
            onPass(result)
            state.backoff.succeeded()
            var wait = resync
            if let requeue = result.requeueAfter { wait = min(wait, max(.milliseconds(100), requeue)) }
            if !result.converged { wait = min(wait, .seconds(1)) }
            state.nextPass = controller.clock.now().addingTimeInterval(wait.timeInterval)
        } catch {
            metrics.recordError(duration: (ContinuousClock.now - started).timeInterval)
            if error is LeaseLost {
                state.grant = nil
                logger.warning("the fleet lease was taken over during a pass; standing by")
            } else if metrics.role.isLeader {
                let renewed = max(state.lastRenewal, await controller.lastLeaseRenewal ?? state.lastRenewal)
                metrics.setRole(.leader(lastPassSucceeded: false), leaseLeft: leaseLeft(renewedAt: renewed))
            }
            let pause = state.backoff.failed()
            logger.error("reconcile pass failed", metadata: ["error": "\(error)", "failures": "\(state.backoff.failures)", "retry_in": "\(pause)"])
            state.nextPass = controller.clock.now().addingTimeInterval(pause.timeInterval)
        }
        state.lastRenewal = max(state.lastRenewal, await controller.lastLeaseRenewal ?? state.lastRenewal)
    }
}
