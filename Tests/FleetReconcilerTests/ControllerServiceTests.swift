import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// The daemon loop on the in-memory store and the fake backend, with time moved by hand: lease
/// expiry, take-over, wake-ups and fencing are tested without sleeping.
@Suite("The controller daemon on a manual clock")
struct ControllerServiceTests {
    typealias Fixture = FakeBackendControllerTests.Fixture

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A daemon named `holder` with a 15 s lease and a 10 minute resync, running until cancelled.
    static func start(_ fixture: Fixture, _ backend: FakeSandboxBackend, _ clock: ManualClock, holder: String, metrics: FleetMetrics = FleetMetrics())
        -> Task<Void, any Error>
    {
        let controller = FleetController(store: fixture.store, backend: backend, clock: clock)
        let service = FleetControllerService(
            store: fixture.store, controller: controller, metrics: metrics, resync: .seconds(600), holder: holder, leaseDuration: 15, logger: quiet)
        return Task { try await service.run() }
    }

    /// An in-memory store declaring a set of `agents`, a manual clock, and a fake API on that clock.
    static func world(agents: Int) throws -> (Fixture, ManualClock, FakeSandboxBackend) {
        let fixture = Fixture()
        try fixture.apply(FakeBackendControllerTests.set("agent", replicas: agents))
        let clock = ManualClock()
        return (fixture, clock, FakeSandboxBackend(now: clock.now))
    }

    /// A controller allowed one API call a second, so that its calls wait on the manual clock.
    static func throttledController(_ fixture: Fixture, _ backend: FakeSandboxBackend, _ clock: ManualClock) -> FleetController {
        var options = ControllerOptions()
        options.flow.queriesPerSecond = 1
        return FleetController(store: fixture.store, backend: backend, options: options, clock: clock)
    }

    /// Another controller takes the lease over from `grant`'s holder (as after a pause longer than the lease).
    static func takeOver(_ store: InMemoryFleetStore, from grant: LeaseGrant, by other: String, now: Date, duration: TimeInterval = 15) throws {
        try store.releaseLease(holder: grant.holder, token: grant.token)
        _ = try #require(try store.acquireLease(holder: other, duration: duration, now: now))
    }

    /// Waits until the daemon's loop is asleep for its tick (a pass's lease keeper may sleep beside it).
    static func waitForTick(_ clock: ManualClock) async throws {
        try await clock.waitForSleepers(1, dueWithin: 0.25)
    }

    /// Waits (in real time, at most 20 s) until `condition` holds: a pass's lease keeper sleeps on the
    /// manual clock too, so a sleeper alone does not mean that the pass has ended.
    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// Moves the clock on by a second whenever something sleeps on it, until `work` finishes;
    /// `eachStep` runs after every step.
    static func drive<T: Sendable>(_ clock: ManualClock, until work: Task<T, any Error>, eachStep: @escaping @Sendable () throws -> Void = {}) async throws -> T {
        let driver = Task {
            while !Task.isCancelled {
                if clock.sleeperCount > 0 {
                    clock.advance(by: 1)
                    try eachStep()
                }
                await Task.yield()
            }
        }
        defer { driver.cancel() }
        return try await work.value
    }

    /// `/readyz` (the role's `isReady`): not ready while the leader's passes fail because the API is
    /// unreachable, ready once a pass succeeds, and not ready again when the API goes away.
    @Test func readinessFollowsWhetherPassesReachTheAPI() async throws {
        let fixture = Fixture()
        try fixture.apply(FakeBackendControllerTests.set("agent", replicas: 1))
        let clock = ManualClock()
        let unreachable = Mutex(true)
        let backend = FakeSandboxBackend(now: clock.now) { _ in unreachable.withLock { $0 } ? .fail(.transport) : nil }
        let metrics = FleetMetrics()
        let daemon = Self.start(fixture, backend, clock, holder: "solo", metrics: metrics)
        func advance(while condition: () -> Bool, seconds: Int) async throws {
            for _ in 0..<seconds where condition() {
                clock.advance(by: 1)
                try await Self.waitForTick(clock)
            }
        }
        try await Self.waitForTick(clock)
        try await advance(while: { !metrics.role.isLeader || backend.calls(.list) == 0 }, seconds: 5)
        #expect(metrics.role.isLeader && !metrics.role.isReady, "a leader whose passes cannot reach the API: \(metrics.role.summary)")
        unreachable.withLock { $0 = false }
        try await advance(while: { !metrics.role.isReady }, seconds: 60)
        #expect(metrics.role.isReady, "ready once a pass succeeded: \(metrics.role.summary)")
        unreachable.withLock { $0 = true }
        try await advance(while: { metrics.role.isReady }, seconds: 700)
        #expect(!metrics.role.isReady, "not ready while the API is unreachable again: \(metrics.role.summary)")
        daemon.cancel()
        try await daemon.value
    }

    @Test func aStandbyTakesOverWhenTheHoldersLeaseExpires() async throws {
        let (fixture, clock, backend) = try Self.world(agents: 2)
        let crashed = try #require(try fixture.store.acquireLease(holder: "crashed", duration: 15, now: clock.now()))
        let metrics = FleetMetrics()
        let standby = Self.start(fixture, backend, clock, holder: "standby", metrics: metrics)
        try await Self.waitForTick(clock)
        for _ in 0..<14 {
            clock.advance(by: 1)
            try await Self.waitForTick(clock)
        }
        #expect(backend.calls(.create) == 0, "nothing is done while another holder's lease runs")
        #expect(metrics.render().contains("porter_fleet_leader 0"))
        clock.advance(by: 1.5)
        try await Self.waitForTick(clock)
        #expect(backend.calls(.create) == 2, "the standby acts as soon as the lease has expired")
        let grant = try #require(try fixture.store.leaseHolder(now: clock.now()))
        #expect(grant.holder == "standby" && grant.token > crashed.token, "with a larger fencing token")
        #expect(metrics.render().contains("porter_fleet_leader 1"))
        standby.cancel()
        try await standby.value
        #expect(try fixture.store.leaseHolder(now: clock.now()) == nil, "a stopped daemon gives the lease up")
    }

    @Test func aDesiredStateChangeWakesTheDaemonBeforeTheResync() async throws {
        let (fixture, clock, backend) = try Self.world(agents: 1)
        let daemon = Self.start(fixture, backend, clock, holder: "a")
        defer { daemon.cancel() }
        try await Self.waitUntil { backend.calls(.create) == 1 }
        try await Self.waitForTick(clock)
        #expect(backend.calls(.create) == 1)
        try fixture.apply(FakeBackendControllerTests.set("agent", replicas: 3))
        clock.advance(by: 0.2)
        try await Self.waitUntil { backend.calls(.create) == 3 }
        #expect(backend.calls(.create) == 3, "one tick after the change, not at the 10 minute resync")
    }

    @Test func aDaemonThatLostItsLeaseStandsByAndActsNoMore() async throws {
        let (fixture, clock, backend) = try Self.world(agents: 1)
        let daemon = Self.start(fixture, backend, clock, holder: "a")
        defer { daemon.cancel() }
        try await Self.waitUntil { backend.calls(.create) == 1 && (try? fixture.store.statuses().count) == 1 }
        try await Self.waitForTick(clock)
        let grant = try #require(try fixture.store.leaseHolder(now: clock.now()))
        try Self.takeOver(fixture.store, from: grant, by: "b", now: clock.now(), duration: 600)
        try fixture.apply(FakeBackendControllerTests.set("agent", replicas: 4))
        for _ in 0..<40 {
            clock.advance(by: 1)
            try await Self.waitForTick(clock)
        }
        #expect(backend.calls(.create) == 1, "no create after the lease went to another holder")
    }

    /// The lease is checked after the rate limiter's wait, not before it: a controller that lost its
    /// lease while waiting for a token sends nothing.
    @Test func theFenceIsCheckedAfterTheRateLimitersWait() async throws {
        let (fixture, clock, backend) = try Self.world(agents: 3)
        let controller = Self.throttledController(fixture, backend, clock)
        let grant = try #require(try fixture.store.acquireLease(holder: "a", duration: 15, now: clock.now()))
        await controller.setFencing(holder: "a", token: grant.token)
        let pass = Task { try await controller.reconcileOnce() }
        try await clock.waitForSleepers()  // the list took the only token; the creates wait for the next
        try Self.takeOver(fixture.store, from: grant, by: "b", now: clock.now())
        await #expect(throws: LeaseLost.self, "the pass ends at its fenced commit") { try await Self.drive(clock, until: pass) }
        #expect(backend.calls(.create) == 0, "no create was sent after the wait")
    }

    /// A pass longer than the lease renews it as it goes, so a slow but healthy leader keeps it.
    @Test func aLongPassRenewsTheLease() async throws {
        let (fixture, clock, backend) = try Self.world(agents: 30)
        let controller = Self.throttledController(fixture, backend, clock)
        let grant = try #require(try fixture.store.acquireLease(holder: "a", duration: 15, now: clock.now()))
        await controller.setFencing(holder: "a", token: grant.token, leaseDuration: 15)
        let pass = Task { try await controller.reconcileOnce() }
        let store = fixture.store
        let result = try await Self.drive(clock, until: pass) {
            let taken = try store.acquireLease(holder: "b", duration: 15, now: clock.now())
            #expect(taken == nil, "never free for another holder")
        }
        #expect(result.failed.isEmpty && backend.calls(.create) == 30, "30 s of creates under a 15 s lease")
        #expect(clock.now().timeIntervalSince(Date(timeIntervalSince1970: 1_800_000_000)) >= 29)
    }
}

/// What `/readyz` and `porter_fleet_leader` say of a leader is bound to its lease's time.
@Suite("Leadership as the lease stands")
struct LeaseBoundRoleTests {
    @Test func aLeaderWhoseLeaseRanOutIsAStandbyAtOnce() async throws {
        let metrics = FleetMetrics()
        metrics.setRole(.leader(lastPassSucceeded: true), leaseLeft: .milliseconds(300))
        #expect(metrics.role.isLeader && metrics.render().contains("porter_fleet_leader 1"))
        try await Task.sleep(for: .milliseconds(400))
        #expect(metrics.role == .standby(holder: nil), "no renewal within the lease: not leading")
        #expect(metrics.render().contains("porter_fleet_leader 0"))
        metrics.setRole(.leader(lastPassSucceeded: true), leaseLeft: .milliseconds(300))
        try await Task.sleep(for: .milliseconds(200))
        metrics.leaseRenewed(leaseLeft: .seconds(10))
        try await Task.sleep(for: .milliseconds(200))
        #expect(metrics.role.isLeader, "a renewal extends it")
    }
}
