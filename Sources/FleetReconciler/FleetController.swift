import FleetModel
import FleetStore
import Foundation
import Logging
import PorterSandbox
import Synchronization

/// Runs reconcile passes: observe the fleet through a ``SandboxBackend``, plan with ``Planner``,
/// execute with bounded concurrency and a rate limit, and record outcomes, statuses and events in the
/// store. A pass that finds everything in sync makes no mutating call and no store write.
public actor FleetController {
    let store: any FleetStore
    let backend: any SandboxBackend
    let options: ControllerOptions
    /// The wall clock of everything the controller decides and records: passes, backoffs, the lease.
    let clock: @Sendable () -> Date
    let limiter: RateLimiter
    /// Per-resource backoff after API errors: 1 s doubling to 5 min, with jitter.
    var apiBackoff: [String: (failures: Int, until: Date)] = [:]
    let callCount = Mutex(0)
    /// What the last pass read, kept while neither the desired state nor the reconciler's tables change.
    var cachedDesired: (revision: Int64, pruneAll: Bool, fleet: DesiredFleet)?
    var cachedState: (revision: Int64, state: ReconcilerState, history: [String: LogicalHistory])?
    /// The lease a daemon holds: checked before every mutating call.
    var fencing: (holder: String, token: Int64)?

    /// A controller for the fleet in `store`, acting through `backend`.
    public init(store: any FleetStore, backend: any SandboxBackend, options: ControllerOptions = .init(), clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.backend = backend
        self.options = options
        self.clock = clock
        self.limiter = RateLimiter(rate: options.queriesPerSecond, burst: options.burst)
    }

    /// What a pass would do now, changing nothing (no mutating call, no store write).
    public func plan() async throws -> Plan {
        try await observeAndPlan().plan
    }

    /// One reconcile pass.
    @discardableResult
    public func reconcileOnce() async throws -> ReconcileResult {
        try await pass(cleanupOnly: false)
    }

    /// A pass that only cleans up: orphans terminated, undesired volumes deleted or forgotten.
    public func collectGarbage() async throws -> ReconcileResult {
        try await pass(cleanupOnly: true)
    }

    func pass(cleanupOnly: Bool) async throws -> ReconcileResult {
        callCount.withLock { $0 = 0 }
        let started = ContinuousClock.now
        var pass = try await observeAndPlan()
        if cleanupOnly { pass.plan.actions = pass.plan.actions.filter(\.isCleanup) }
        var result = ReconcileResult(plan: pass.plan, converged: false, apiCalls: 0)
        let observed = ContinuousClock.now
        try await execute(&pass, result: &result)
        let executed = ContinuousClock.now
        let now = clock()
        pass.finalizeStatuses(now: now, failedLogicalNames: Set(result.failed.compactMap(\.logicalName)))
        try store.commit(pass.changes)
        result.timings = .init(observe: Self.seconds(observed - started), execute: Self.seconds(executed - observed), record: Self.seconds(.now - executed))
        result.wroteStore = !pass.changes.isEmpty
        result.converged =
            pass.plan.actions.isEmpty && result.failed.isEmpty
            && pass.plan.statuses.allSatisfy { $0.sync == .synced && $0.health.isSettled }
            && !pass.plan.events.contains { $0.reason == .emptyDesiredState }
        if let requeue = pass.plan.requeueAt {
            result.requeueAfter = .milliseconds(Int64(max(0, requeue.timeIntervalSince(now)) * 1000))
        }
        result.apiCalls = callCount.withLock { $0 }
        return result
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Makes every mutating call check that this lease is still current (docs/design-decisions.md, "The single-writer lease").
    public func setFencing(holder: String, token: Int64) {
        fencing = (holder, token)
    }

    /// Throws when the lease this controller acts under is no longer current.
    func checkFencing() throws {
        guard let fencing else { return }
        guard try store.leaseIsCurrent(holder: fencing.holder, token: fencing.token, now: clock()) else {
            throw LeaseLost(holder: fencing.holder, token: fencing.token)
        }
    }

    nonisolated func call<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await limiter.acquire()
        callCount.withLock { $0 += 1 }
        return try await body()
    }
}

/// The single-writer lease was taken over: the controller stops acting.
public struct LeaseLost: Error, CustomStringConvertible {
    /// Who held it.
    public var holder: String
    /// The token that is no longer current.
    public var token: Int64
    /// What happened.
    public var description: String { "the fleet lease (token \(token)) is no longer held by \(holder)" }
}
