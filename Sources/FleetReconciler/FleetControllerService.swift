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
        var lastRevision: Int64 = -1
        var nextPass: Date
        var backoff = PassBackoff(base: .seconds(1), cap: .seconds(30))
    }

    public func run() async throws {
        let changes = ChangeSignal()
        let keeper = LeaseKeeper(store: store, holder: holder, duration: leaseDuration, clock: controller.clock)
        await withTaskGroup(of: Void.self) { group in
            if let stream = store.desiredStateChanges() {
                group.addTask { for await notification in stream { changes.receive(notification) } }
            }
            group.addTask { [self] in await report(keeper.leadership) }
            await loop(keeper: keeper, changes: changes)
            group.cancelAll()
        }
    }

    /// Ticks until shutdown: the lease, then a pass when one is due; on the way out, the lease is released.
    private func loop(keeper: LeaseKeeper, changes: ChangeSignal) async {
        let clock = controller.clock
        var state = LoopState(nextPass: clock.now())
        var wasLeading = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let leading = if case .leading = await keeper.hold() { true } else { false }
            if leading && !wasLeading { state.nextPass = clock.now() }
            wasLeading = leading
            if leading, await passIsDue(&state, now: clock.now(), changes: changes) {
                await runPass(keeper: keeper, state: &state)
            }
            try? await clock.sleep(for: Self.tick)
        }
        await keeper.release()
        logger.notice("controller stopped")
    }

    /// Follows the keeper's leadership into the metrics (`porter_fleet_leader`, `/readyz`) and the log.
    /// A leader that cannot renew is a standby (or without its store) from the moment the keeper says so.
    func report(_ leadership: AsyncStream<LeaseKeeper.Leadership>) async {
        var wasLeading = false
        for await change in leadership {
            switch change {
            case .leading(let token, let renewedAt):
                let left = Duration.seconds(max(0, leaseDuration - controller.clock.now().timeIntervalSince(renewedAt)))
                if metrics.role.isLeader {
                    metrics.leaseRenewed(leaseLeft: left)
                } else {
                    logger.notice("holding the fleet lease", metadata: ["token": "\(token)"])
                    metrics.setRole(.leader(lastPassSucceeded: nil), leaseLeft: left)
                }
                wasLeading = true
            case .standingBy(let holder, _):
                if wasLeading { logger.warning("lost the fleet lease; standing by") }
                if metrics.role != .standby(holder: holder) {
                    logger.info("standing by", metadata: ["holder": "\(holder ?? "unknown")"])
                    metrics.setRole(.standby(holder: holder))
                }
                wasLeading = false
            case .storeUnavailable(let problem):
                if wasLeading { logger.error("cannot renew the fleet lease; standing by", metadata: ["error": "\(problem)"]) }
                metrics.setRole(.storeUnavailable(problem))
                wasLeading = false
            case .released:
                metrics.setRole(.standby(holder: nil))
                wasLeading = false
            }
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

    /// One pass under the keeper's lease, then the time of the next: the resync, sooner when the pass asks
    /// to be requeued or has not converged, later after a failure (backing off).
    func runPass(keeper: LeaseKeeper, state: inout LoopState) async {
        await controller.fence(with: keeper)
        let started = ContinuousClock.now
        // The lease is renewed beside the pass, every third of it: a pass slowed by the rate limiter or a
        // slow API keeps its lease, and a standby takes over only from a leader that stopped. A renewal
        // that fails is published by the keeper at once (the role follows), and the pass fails on its
        // next fenced write.
        let renewal = Task { [controller, leaseDuration] in
            while !Task.isCancelled {
                try await controller.clock.sleep(for: .interval(leaseDuration / 3))
                try await keeper.renewIfDue()
            }
        }
        defer { renewal.cancel() }
        do {
            let result = try await controller.reconcileOnce()
            metrics.record(result, duration: (ContinuousClock.now - started).timeInterval)
            if metrics.role.isLeader {
                metrics.setRole(.leader(lastPassSucceeded: result.failed.isEmpty), leaseLeft: await keeper.leaseLeft)
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
                logger.warning("the fleet lease was taken over during a pass; standing by")
            } else if metrics.role.isLeader {
                metrics.setRole(.leader(lastPassSucceeded: false), leaseLeft: await keeper.leaseLeft)
            }
            let pause = state.backoff.failed()
            logger.error("reconcile pass failed", metadata: ["error": "\(error)", "failures": "\(state.backoff.failures)", "retry_in": "\(pause)"])
            state.nextPass = controller.clock.now().addingTimeInterval(pause.timeInterval)
        }
    }
}
