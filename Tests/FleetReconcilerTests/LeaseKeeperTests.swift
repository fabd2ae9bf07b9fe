import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import Testing

/// The one owner of the single-writer lease: takes, renews, checks, releases, and publishes leadership.
@Suite("Lease keeper")
struct LeaseKeeperTests {
    @Test func oneLeadsTheOtherStandsByAndALeaderPastItsLeaseIsToldAtItsNextCheck() async throws {
        let store = InMemoryFleetStore()
        let clock = ManualClock()
        let first = LeaseKeeper(store: store, holder: "a", duration: 15, clock: clock)
        let second = LeaseKeeper(store: store, holder: "b", duration: 15, clock: clock)
        guard case .leading(let token, _) = await first.hold() else {
            Issue.record("the first keeper should lead")
            return
        }
        #expect(await second.hold() == .standingBy(holder: "a", until: clock.now().addingTimeInterval(15)))

        // The first holder stops renewing (a stopped process); once its grant expires the second takes over.
        clock.advance(by: 16)
        guard case .leading(let successor, _) = await second.hold() else {
            Issue.record("the second keeper should take over")
            return
        }
        #expect(successor > token, "fencing tokens grow")
        await #expect(throws: LeaseLost.self) { try await first.check() }
        #expect(await first.token == nil)

        var seen: [LeaseKeeper.Leadership] = []
        for await change in first.leadership {
            seen.append(change)
            if seen.count == 2 { break }
        }
        #expect(seen.first == .leading(token: token, renewedAt: clock.now().addingTimeInterval(-16)))
        #expect(seen.last == .standingBy(holder: nil, until: .distantPast), "the loss is published before the caller hears of it")
    }

    @Test func checksRenewEveryThirdOfTheLeaseAndReleaseHandsItOver() async throws {
        let store = InMemoryFleetStore()
        let clock = ManualClock()
        let keeper = LeaseKeeper(store: store, holder: "a", duration: 15, clock: clock)
        _ = try await keeper.acquire(wait: false)
        clock.advance(by: 6)
        try await keeper.check()
        #expect(await keeper.leaseLeft == .seconds(15), "a check past a third of the lease renewed it")
        clock.advance(by: 14)
        try await keeper.check()  // renewed 14 s ago at most: still its lease
        await keeper.release()
        let other = LeaseKeeper(store: store, holder: "b", duration: 15, clock: clock)
        #expect(try await other.acquire(wait: false).holder == "b", "a released lease is free at once")
        await #expect(throws: LeaseHeld.self) { _ = try await keeper.acquire(wait: false) }
    }
}

/// A controller fenced with a keeper that holds no lease writes nothing: its fence carries no token a
/// store accepts (it used to carry none, and its pass's commit went through unfenced).
@Suite("Fencing without a lease")
struct FencingWithoutALeaseTests {
    @Test func aKeeperThatHoldsNothingFencesEveryWriteOut() async throws {
        let store = InMemoryFleetStore()
        _ = try store.apply(try ManifestText.parsed(ManifestText.set("agent", replicas: 2)), sources: ["fleet.yaml"], prune: true, dryRun: false)
        let backend = FakeSandboxBackend()
        let controller = FleetController(store: store, backend: backend)
        await controller.fence(with: LeaseKeeper(store: store, holder: "nobody", duration: 15))
        await #expect(throws: LeaseLost.self) { try await controller.reconcileOnce() }
        #expect(backend.calls(.create) == 0 && backend.allSandboxes.isEmpty)
        let statuses = try store.statuses()
        let events = try await store.events(since: nil)
        #expect(statuses.isEmpty && events.isEmpty, "nothing recorded")
    }
}
