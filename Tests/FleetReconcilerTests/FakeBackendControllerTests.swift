import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import PorterSandbox
import Synchronization
import Testing

/// The controller against the in-memory fake backend and store: no sockets, no processes, no files.
@Suite("Controller on a fake backend")
struct FakeBackendControllerTests {
    /// A fresh in-memory store: these tests touch neither sockets nor files.
    struct Fixture {
        let store = InMemoryFleetStore()

        func apply(_ text: String) throws {
            let manifests = try ManifestParser.parse(text, file: "fleet.yaml").map { ($0, "fleet.yaml") }
            _ = try store.apply(manifests, sources: ["fleet.yaml"], prune: true, dryRun: false)
        }
    }

    static func set(_ name: String, replicas: Int, image: String = "python:3.12-slim") -> String {
        ManifestText.set(name, replicas: replicas, image: image)
    }

    @Test func convergesAndThenOnlyLists() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 5))
        let backend = FakeSandboxBackend()
        let controller = FleetController(store: fixture.store, backend: backend)
        let first = try await controller.reconcileOnce()
        #expect(first.succeeded.count == 5 && backend.calls(.create) == 5)
        let second = try await controller.reconcileOnce()
        #expect(second.converged && second.plan.actions.isEmpty, "the second pass only records that they run")
        #expect(try await !controller.reconcileOnce().wroteStore, "a pass in sync writes nothing")
        let callsBefore = FakeSandboxBackend.Call.allCases.map(backend.calls)
        _ = try await controller.reconcileOnce()
        let callsAfter = FakeSandboxBackend.Call.allCases.map(backend.calls)
        #expect(zip(callsBefore, callsAfter).map { $1 - $0 } == [1, 0, 0, 0, 0, 0, 0, 0], "a pass in sync costs one list page")
    }

    /// A pass with no sandbox action to send has nothing to record as it goes: it does not wait for the
    /// tick that commits results each second (ten such passes used to take ten seconds).
    @Test func aPassWithNothingToSendDoesNotWaitForTheRecordingTick() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 2))
        let controller = FleetController(store: fixture.store, backend: FakeSandboxBackend())
        _ = try await controller.reconcileOnce()
        let started = ContinuousClock.now
        for _ in 0..<10 { _ = try await controller.reconcileOnce() }
        #expect(ContinuousClock.now - started < .seconds(5), "ten passes in sync took \(ContinuousClock.now - started)")
    }

    /// `gc` runs only the cleaning part of a pass: what it leaves undone (here the adoption of a volume,
    /// every sandbox being in sync) is work left, and the fleet has not converged, as `status` and `plan` say.
    @Test func aGarbageCollectionDoesNotCallTheFleetConvergedWhileAPassHasWorkLeft() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 2))
        let backend = FakeSandboxBackend()
        backend.seedVolume(name: "legacy")
        let controller = FleetController(store: fixture.store, backend: backend)
        _ = try await controller.reconcileOnce()
        #expect(try await controller.reconcileOnce().converged)
        try fixture.apply(Self.set("agent", replicas: 2) + "---\napiVersion: porter-fleet/v1\nkind: Volume\nname: legacy\nspec:\n  adopt: true\n")
        let collected = try await controller.collectGarbage()
        #expect(collected.succeeded.isEmpty, "gc adopts nothing")
        #expect(!collected.converged, "the adoption gc left undone is work left")
        #expect(try await controller.plan().isInSync == false)
        let adopting = try await controller.reconcileOnce()
        let settled = try await controller.reconcileOnce()
        #expect(!adopting.converged && settled.converged, "a pass adopts it, the next is in sync")
    }

    /// `gc` never creates: a pass that retains a volume plans its sandboxes again with the volumes it now
    /// owns, and that plan's creates are not clean-up either.
    @Test func aGarbageCollectionThatRetainsAVolumeCreatesNothing() async throws {
        let fixture = Fixture()
        let volume = "apiVersion: porter-fleet/v1\nkind: Volume\nname: cache\nspec:\n  deletion_policy: retain\n"
        try fixture.apply(Self.set("agent", replicas: 1) + "---\n" + volume)
        let backend = FakeSandboxBackend()
        let controller = FleetController(store: fixture.store, backend: backend)
        _ = try await controller.reconcileOnce()
        #expect(try await controller.reconcileOnce().converged)
        try fixture.apply(Self.set("agent", replicas: 2))
        let collected = try await controller.collectGarbage()
        #expect(collected.succeeded.map(\.kind) == [.retainVolume], "\(collected.succeeded.map(\.summary))")
        #expect(backend.calls(.create) == 1, "gc created nothing")
    }

    /// A generation that ends while its replacement is live was superseded, whenever the next pass sees
    /// it: not a crash, even if the replacement is gone by then too (here lost by a restarted API), and
    /// whichever of the two the pass looks at first (`api-g10` sorts before `api-g9`).
    @Test func aGenerationThatEndedWhileItsReplacementRanIsNotACrash() async throws {
        let fixture = Fixture()
        try fixture.store.claim(fleetID: "team")
        let clock = ManualClock()
        let service = { (image: String) in "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\nspec:\n  image: \(image)\n" }
        try fixture.apply(service("i:1"))
        let backend = FakeSandboxBackend(now: clock.now)
        let tags = [OwnershipTags.fleet: "team", OwnershipTags.name: "api", OwnershipTags.generation: "8", OwnershipTags.specHash: "h"]
        backend.seed(name: "api-g8", tags: tags, phase: .terminated)
        let controller = FleetController(store: fixture.store, backend: backend, clock: clock)
        _ = try await controller.reconcileOnce()
        clock.advance(by: 5)
        try fixture.apply(service("i:2"))
        _ = try await controller.reconcileOnce()
        #expect(backend.allSandboxes.filter { !$0.phase.isTerminal }.map(\.name) == ["api-g9", "api-g10"], "the replacement runs beside the old one")
        clock.advance(by: 5)
        backend.end(name: "api-g9", phase: .failed, exitCode: 1)
        clock.advance(by: 5)
        backend.restart()
        _ = try await controller.reconcileOnce()
        let status = try fixture.store.statuses().first { $0.logicalName == "api" }
        #expect(status?.failureCount == 0 && status?.backoffUntil == nil, "generation 1 was superseded, generation 2 lost by the API: \(String(describing: status))")
    }

    @Test func lostCreateAnswersAreSettledByNameNeverDuplicated() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 3))
        let dropping = Mutex(true)
        let backend = FakeSandboxBackend(faults: { call in call == .create && dropping.withLock { $0 } ? .dropAnswer : nil })
        let controller = FleetController(store: fixture.store, backend: backend)
        let first = try await controller.reconcileOnce()
        #expect(first.failed.count == 3 && first.failed.allSatisfy { $0.kind == .createSandbox })
        dropping.withLock { $0 = false }
        for _ in 0..<3 { _ = try await controller.reconcileOnce() }
        let names = backend.allSandboxes.map(\.name).sorted()
        #expect(names == ["agent-0-g1", "agent-1-g1", "agent-2-g1"], "each create happened once, and was adopted: \(names)")
    }

    /// Two stores created with default settings on one Sandbox API: each has its own fleet id, so
    /// neither takes the other's sandboxes for orphans (both used to be `default`).
    @Test func twoStoresWithDefaultSettingsLeaveEachOthersSandboxesAlone() async throws {
        let backend = FakeSandboxBackend()
        let (first, second) = (Fixture(), Fixture())
        try first.store.claim(fleetID: nil)
        try second.store.claim(fleetID: nil)
        try first.apply(Self.set("agent", replicas: 6))
        try second.apply(Self.set("worker", replicas: 1))
        let controllers = [FleetController(store: first.store, backend: backend), FleetController(store: second.store, backend: backend)]
        for _ in 0..<3 {
            for controller in controllers { _ = try await controller.reconcileOnce() }
        }
        #expect(backend.calls(.terminate) == 0)
        #expect(backend.allSandboxes.filter { !$0.phase.isTerminal }.count == 7)
        #expect(try first.store.settings().fleetID != second.store.settings().fleetID)
    }

    /// A job's create whose answer was lost took effect, and the job finished before the next pass: the
    /// pass that settles the create by name learns how it ended, so the completed job is not run again.
    @Test func aJobThatFinishedBeforeItsLostCreateWasSettledIsNotRunAgain() async throws {
        let fixture = Fixture()
        try fixture.apply("apiVersion: porter-fleet/v1\nkind: Sandbox\nname: migrate\nspec:\n  image: i\n  restart_policy: never\n")
        let dropFirstCreate = Mutex(true)
        let backend = FakeSandboxBackend(faults: { call in
            call == .create && dropFirstCreate.withLock { drop in defer { drop = false }; return drop } ? .dropAnswer : nil
        })
        let controller = FleetController(store: fixture.store, backend: backend)
        let first = try await controller.reconcileOnce()
        #expect(first.failed.count == 1 && backend.allSandboxes.map(\.name) == ["migrate-g1"], "created, the answer lost")
        backend.end(name: "migrate-g1", phase: .succeeded, exitCode: 0)
        let second = try await controller.reconcileOnce()
        #expect(backend.calls(.create) == 1, "not run again: \(second.succeeded.map(\.summary))")
        #expect(second.plan.statuses.first?.health == .completed && second.converged)
        #expect(try fixture.store.generations(of: "migrate").map(\.phase) == ["succeeded"], "its end is recorded")
    }

    /// A store rebuilt from `export` (a lost disk) knows no generations: the controller reads them from
    /// the API's ended sandboxes before creating, so a completed job is not run again and generation
    /// numbers continue.
    @Test func aRebuiltStoreDoesNotRunACompletedJobAgain() async throws {
        let fixture = Fixture()
        try fixture.store.claim(fleetID: "team")
        let job = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: migrate\nspec:\n  image: i\n  restart_policy: never\n"
        let service = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\nspec:\n  image: i\n"
        try fixture.apply(job + "---\n" + service)
        let backend = FakeSandboxBackend()
        func tags(_ name: String, _ generation: Int) -> [String: String] {
            [OwnershipTags.fleet: "team", OwnershipTags.name: name, OwnershipTags.generation: "\(generation)", OwnershipTags.specHash: "h"]
        }
        backend.seed(name: "migrate-g1", tags: tags("migrate", 1), phase: .succeeded)
        backend.seed(name: "api-g6", tags: tags("api", 6), phase: .terminated)
        backend.seed(name: "api-g7", tags: tags("api", 7), phase: .failed)
        let controller = FleetController(store: fixture.store, backend: backend)
        let first = try await controller.reconcileOnce()
        #expect(first.succeeded.map(\.summary) == ["create sandbox api-g8"], "generations continue; the job is not re-run")
        #expect(first.plan.statuses.first { $0.logicalName == "migrate" }?.health == .completed)
        #expect(try await fixture.store.events().filter { $0.reason == .historyRecovered }.map(\.name).sorted() == ["api", "migrate"])
        let listsBefore = backend.calls(.list)
        _ = try await controller.reconcileOnce()
        _ = try await controller.reconcileOnce()
        #expect(backend.calls(.create) == 1, "the job stays completed on later passes")
        #expect(backend.calls(.list) - listsBefore == 2, "the API's history is read once: later passes list live sandboxes only")
    }

    /// A recorded create for a name no longer desired is looked up once and dropped, not retried or
    /// looked up on every pass.
    @Test func staleIntentsAreSettledOnce() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 1))
        try await fixture.store.recordIntent(CreateIntent(actualName: "gone-g1", kind: "sandbox", logicalName: "gone", generation: 1, createdAt: Date()))
        let backend = FakeSandboxBackend()
        let controller = FleetController(store: fixture.store, backend: backend)
        _ = try await controller.reconcileOnce()
        #expect(backend.calls(.lookup) == 1 && backend.calls(.create) == 1, "looked up once; agent-0 created, gone-g1 not")
        #expect(try fixture.store.reconcilerState().intents.isEmpty)
        _ = try await controller.reconcileOnce()
        #expect(backend.calls(.lookup) == 1, "no lookup on later passes")
    }

    /// An event carries the time the thing happened (a sandbox's end), not the time of the pass that saw it.
    @Test func eventsAreStampedWhenTheThingHappened() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 1))
        let clock = ManualClock()
        let backend = FakeSandboxBackend(now: clock.now)
        let controller = FleetController(store: fixture.store, backend: backend, clock: clock)
        _ = try await controller.reconcileOnce()
        clock.advance(by: 10)
        let endedAt = clock.now()
        backend.end(name: "agent-0-g1", phase: .failed, exitCode: 2)
        clock.advance(by: 60)
        _ = try await controller.reconcileOnce()
        let failed = try #require(try await fixture.store.events().first { $0.reason == .failed })
        #expect(failed.lastAt == endedAt, "stamped at the end, a minute before the pass saw it")
    }

    /// A controller whose lease expired and was taken over stops acting: time moves by hand, no sleeps.
    @Test func aControllerFencedOutCreatesNothing() async throws {
        let fixture = Fixture()
        try fixture.apply(Self.set("agent", replicas: 2))
        let clock = ManualClock()
        let backend = FakeSandboxBackend(now: clock.now)
        let controller = FleetController(store: fixture.store, backend: backend, clock: clock)
        let grant = try #require(try fixture.store.acquireLease(holder: "a", duration: 15, now: clock.now()))
        await controller.setFencing(holder: "a", token: grant.token)
        clock.advance(by: 16)
        let successor = try #require(try fixture.store.acquireLease(holder: "b", duration: 15, now: clock.now()))
        #expect(successor.token > grant.token)
        let revision = try fixture.store.reconcilerRevision()
        await #expect(throws: LeaseLost.self, "the pass ends at its fenced commit") { try await controller.reconcileOnce() }
        #expect(backend.calls(.create) == 0, "no create after the lease was taken over")
        #expect(try fixture.store.reconcilerRevision() == revision, "and the store refused every write of it")
        await controller.setFencing(holder: "b", token: successor.token)
        _ = try await controller.reconcileOnce()
        #expect(backend.calls(.create) == 2, "the current holder acts")
    }

    /// Random faults, lost answers, crashes and scale changes, from a seed; after every pass the
    /// safety invariants hold, and once the faults stop the fleet converges.
    @Test(arguments: [UInt64(7), 11, 23, 99, 2026])
    func invariantsHoldUnderRandomFaults(seed: UInt64) async throws {
        let fixture = Fixture()
        let random = SharedRandom(seed: seed)
        let faulty = Mutex(true)
        let clock = ManualClock()
        let kinds: [PorterError.Kind] = [.server, .rateLimited, .timeout]
        let backend = FakeSandboxBackend(now: clock.now, faults: { _ in
            guard faulty.withLock({ $0 }) else { return nil }
            if random.chance(0.15) { return .fail(kinds[random.int(in: 0...2)]) }
            return random.chance(0.1) ? .dropAnswer : nil
        })
        backend.seed(name: "foreign-1", tags: [OwnershipTags.fleet: "other", OwnershipTags.name: "agent-0"])
        backend.seed(name: "untagged-1", tags: [:])
        var replicas = 4
        try fixture.apply(Self.set("agent", replicas: replicas))
        var options = ControllerOptions()
        options.allowPrune = true  // scale changes here are deliberate; the prune guard has its own tests
        let controller = FleetController(store: fixture.store, backend: backend, options: options, clock: clock)
        for round in 0..<40 {
            clock.advance(by: 2)
            if random.chance(0.2) {
                replicas = random.int(in: 0...6)
                try fixture.apply(Self.set("agent", replicas: replicas, image: random.chance(0.3) ? "python:3.13" : "python:3.12-slim"))
            }
            if random.chance(0.2), let victim = backend.allSandboxes.filter({ $0.fleet == "default" && !$0.phase.isTerminal }).randomElement() {
                backend.end(name: victim.name, phase: .failed, exitCode: 1)
            }
            _ = try? await controller.reconcileOnce()
            try Self.checkSafety(backend, round: round, seed: seed)
        }
        faulty.withLock { $0 = false }
        var converged = false
        // Backoffs (API errors, crash loops) end within five minutes: let time pass between passes.
        for _ in 0..<30 where !converged {
            clock.advance(by: 301)
            converged = try await controller.reconcileOnce().converged
        }
        #expect(converged, "seed \(seed): converged once the faults stopped")
        let live = backend.allSandboxes.filter { $0.fleet == "default" && !$0.phase.isTerminal }
        #expect(Set(live.compactMap(\.logicalName)) == Set((0..<replicas).map { "agent-\($0)" }), "seed \(seed)")
        #expect(live.count == replicas, "seed \(seed): one live generation each")
    }

    /// What must hold after every pass, whatever failed: nothing foreign touched, no name used twice,
    /// never more than two live generations of one logical sandbox (the old one and its replacement).
    static func checkSafety(_ backend: FakeSandboxBackend, round: Int, seed: UInt64) throws {
        let all = backend.allSandboxes
        for foreign in all where foreign.fleet != "default" {
            #expect(foreign.phase == .running, "seed \(seed) round \(round): \(foreign.name) is not ours and was touched")
        }
        #expect(Set(all.map(\.name)).count == all.count, "seed \(seed) round \(round): a name was used twice")
        let liveByLogical = Dictionary(grouping: all.filter { $0.fleet == "default" && !$0.phase.isTerminal }) { $0.logicalName ?? "" }
        for (logical, generations) in liveByLogical {
            #expect(generations.count <= 2, "seed \(seed) round \(round): \(logical) has \(generations.count) live generations")
        }
    }
}
