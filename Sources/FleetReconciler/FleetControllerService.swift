import FleetStore
import Foundation
import Logging
import ServiceLifecycle

/// The controller daemon: holds the single-writer lease, runs a pass every resync interval, at once
/// when the desired state changes, and when a backoff ends; on graceful shutdown it finishes the pass
/// in flight, releases the lease and returns.
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

    public func run() async throws {
        var grant: LeaseGrant?
        var lastRevision: Int64 = -1
        var nextPass = ContinuousClock.now
        var lastRenewal = Date.distantPast
        var backoff = PassBackoff(base: .seconds(1), cap: .seconds(30))
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let now = controller.clock()
            if grant == nil || now.timeIntervalSince(lastRenewal) >= renewEvery {
                let previous = grant
                grant = try? store.acquireLease(holder: holder, duration: leaseDuration, now: now)
                lastRenewal = now
                if grant != nil, previous == nil {
                    logger.notice("holding the fleet lease", metadata: ["token": "\(grant!.token)"])
                    nextPass = .now
                } else if grant == nil, previous != nil {
                    logger.warning("lost the fleet lease; standing by")
                } else if grant == nil, let other = try? store.leaseHolder() {
                    logger.debug("standing by", metadata: ["holder": "\(other.holder)"])
                }
                metrics.setLeader(grant != nil)
            }
            let revision = (try? store.revision()) ?? lastRevision
            if revision != lastRevision { nextPass = .now }
            if let grant, ContinuousClock.now >= nextPass {
                lastRevision = revision
                await controller.setFencing(holder: holder, token: grant.token)
                let started = Date()
                do {
                    let result = try await controller.reconcileOnce()
                    metrics.record(result, duration: Date().timeIntervalSince(started))
                    onPass(result)
                    backoff.succeeded()
                    var wait = resync
                    if let requeue = result.requeueAfter { wait = min(wait, max(.milliseconds(100), requeue)) }
                    if !result.converged { wait = min(wait, .seconds(1)) }
                    nextPass = .now + wait
                } catch {
                    metrics.recordError(duration: Date().timeIntervalSince(started))
                    let pause = backoff.failed()
                    logger.error("reconcile pass failed", metadata: ["error": "\(error)", "failures": "\(backoff.failures)", "retry_in": "\(pause)"])
                    nextPass = .now + pause
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        if let grant { try? store.releaseLease(holder: holder, token: grant.token) }
        logger.notice("controller stopped")
    }
}
