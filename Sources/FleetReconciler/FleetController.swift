import FleetModel
import FleetStore
import Foundation
import Logging
import PorterSandbox
import Synchronization

/// Runs reconcile passes: observe the fleet through a ``SandboxBackend``, plan with ``Planner``,
/// execute under adaptive flow control (``FlowControl``), and record outcomes, statuses and events in the
/// store. A pass that finds everything in sync makes no mutating call and no store write.
public actor FleetController {
    let store: any FleetStore
    let backend: any SandboxBackend
    let options: ControllerOptions
    /// The time of everything the controller decides and records: passes, backoffs, the lease, flow control.
    let clock: any FleetClock
    /// The limits every API call waits for.
    public nonisolated let flow: FlowControl
    /// Per-resource backoff after API errors: 1 s doubling to 5 min, with jitter.
    var apiBackoff: [String: (failures: Int, until: Date)] = [:]
    let callCount = Mutex(0)
    /// What the last pass read, kept while neither the desired state nor the reconciler's tables change.
    var cachedDesired: (revision: Int64, pruneAll: Bool, fleet: DesiredFleet)?
    var cachedState: (revision: Int64, state: ReconcilerState, history: [String: LogicalHistory])?
    /// The lease this controller acts under: checked before every mutating call.
    var lease: LeaseKeeper?
    /// The holder and token every store write carries while fenced.
    var fencing: (holder: String, token: Int64)?
    /// What the last pass that found nothing to do observed, while it may be reused.
    var settled: SettledObservation?

    /// A controller for the fleet in `store`, acting through `backend`. Pass the `flow` the backend's
    /// ``APIAttemptMiddleware`` reports to, so the limits learn from every attempt; without one the
    /// controller makes its own from `options.flow` (it then stays at its initial limit).
    public init(
        store: any FleetStore, backend: any SandboxBackend, options: ControllerOptions = .init(), clock: any FleetClock = SystemFleetClock(),
        flow: FlowControl? = nil
    ) {
        self.store = store
        self.backend = backend
        self.options = options
        self.clock = clock
        self.flow = flow ?? FlowControl(options: options.flow, clock: clock)
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
        try await renewLeaseIfDue()
        let started = ContinuousClock.now
        var pass = try await observeAndPlan()
        // Judged on the whole plan: what a garbage collection leaves undone is work left.
        let inSync = pass.plan.isInSync
        pass.cleanupOnly = cleanupOnly
        if cleanupOnly { pass.plan.actions = pass.plan.actions.filter(\.isCleanup) }
        var result = ReconcileResult(plan: pass.plan, converged: false, apiCalls: 0)
        let observed = ContinuousClock.now
        try await execute(&pass, result: &result)
        let executed = ContinuousClock.now
        let now = clock.now()
        if !pass.reusedPlan { pass.finalizeStatuses(now: now, failedLogicalNames: Set(result.failed.compactMap(\.logicalName))) }
        let wroteAtEnd = !pass.changes.isEmpty
        do {
            try await store.commit(pass.changes, now: now, fence: fence(now: now))
        } catch FleetStoreError.fencedOut(let holder, let token) {
            throw LeaseLost(holder: holder, token: token)
        }
        pass.progress.logRecorded(result, to: options.logger)
        result.timings = .init(
            observe: (observed - started).timeInterval, execute: (executed - observed).timeInterval, record: (ContinuousClock.now - executed).timeInterval)
        result.wroteStore = wroteAtEnd || pass.progress.committedEarly
        result.converged = inSync && result.failed.isEmpty
        if let requeue = pass.plan.requeueAt {
            result.requeueAfter = .milliseconds(Int64(max(0, requeue.timeIntervalSince(now)) * 1000))
        }
        result.apiCalls = callCount.withLock { $0 }
        result.reusedPlan = pass.reusedPlan
        if !pass.reusedPlan {
            settled = cleanupOnly ? nil : SettledObservation.of(pass, result: result, listingCalls: pass.volumes == nil ? 1 : 2)
        }
        return result
    }


    /// Makes every mutating call check, right before it is sent, that `keeper`'s lease is still current
    /// (renewing it once a third has passed), and every store write carry its token (docs/design-decisions.md,
    /// "The single-writer lease").
    public func fence(with keeper: LeaseKeeper) async {
        lease = keeper
        // A keeper that holds nothing fences with token 0, which no store accepts: never unfenced writes.
        fencing = (keeper.holder, await keeper.token ?? 0)
    }

    /// Fences with a grant taken elsewhere: `token` of `holder`; with `leaseDuration`, checks renew it
    /// once a third of it has passed since `renewedAt` (now by default).
    public func setFencing(holder: String, token: Int64, leaseDuration: TimeInterval? = nil, renewedAt: Date? = nil) async {
        let keeper = LeaseKeeper(store: store, holder: holder, token: token, duration: leaseDuration, renewedAt: renewedAt ?? clock.now(), clock: clock)
        await fence(with: keeper)
    }

    /// What this controller's store writes carry, so the store refuses them once the lease is lost (nil
    /// when the controller acts without a lease, as in tests and one-shot commands that hold none).
    func fence(now: Date) -> LeaseFence? {
        fencing.map { LeaseFence(holder: $0.holder, token: $0.token, now: now) }
    }

    /// Renews the lease when it is due; throws ``LeaseLost`` when it was taken over.
    func renewLeaseIfDue() async throws {
        try await lease?.renewIfDue()
    }

    /// Throws ``LeaseLost`` when the lease this controller acts under is no longer current; renews it when due.
    func checkFencing() async throws {
        try await lease?.check()
    }

    /// A read from the API: waits for a flow-control permit, then calls.
    nonisolated func call<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withPermit {
            callCount.withLock { $0 += 1 }
            return try await body()
        }
    }

    /// A mutating call: waits for a flow-control permit, then checks the lease, then calls. The check comes
    /// after the wait, so a controller that lost its lease while waiting sends nothing.
    nonisolated func mutate<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withPermit {
            try await checkFencing()
            callCount.withLock { $0 += 1 }
            return try await body()
        }
    }

    /// Runs `body` holding a flow-control permit, returned however `body` ends.
    private nonisolated func withPermit<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await flow.acquire()
        do {
            let value = try await body()
            await flow.release()
            return value
        } catch {
            await flow.release()
            throw error
        }
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
