import FleetModel
import FleetStore
import FleetStoreSQLite
import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

@testable import FleetReconciler

/// The controller against the real local Sandbox API over HTTP and a real store file.
@Suite("Reconciler against the local Sandbox API")
struct ReconcilerIntegrationTests {
    static let fleetYAML = """
        apiVersion: porter-fleet/v1
        kind: Volume
        name: shared
        ---
        apiVersion: porter-fleet/v1
        kind: Sandbox
        name: api
        tags: {team: ml}
        spec:
          image: python:3.12-slim
          command: [sleep, infinity]
          volume_mounts: {/mnt/shared: shared}
        ---
        apiVersion: porter-fleet/v1
        kind: SandboxSet
        name: agent
        spec:
          replicas: 3
          template: {image: python:3.12-slim, command: [sleep, infinity]}
        """

    @Test func convergesFromEmptyAndThenDoesNothing() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply(Self.fleetYAML)
        let controller = harness.controller()
        let passes = try await harness.converge(controller)
        #expect(passes.count <= 4)
        #expect(try await harness.liveNames() == ["agent-0-g1", "agent-1-g1", "agent-2-g1", "api-g1"])
        let api = try await harness.porter.sandboxes.get(name: "api-g1")
        #expect(api.tags?["porter-fleet/fleet"] == "default" && api.tags?["porter-fleet/name"] == "api" && api.tags?["team"] == "ml")
        let volume = try await harness.porter.volumes.get(name: try harness.store.settings().volumeNamePrefix + "shared")
        #expect(api.status?.volumeMounts?.additionalProperties == ["/mnt/shared": volume.id])

        let eventsBefore = try await harness.store.events().count
        let statusesBefore = try harness.store.statuses()
        let noOp = try await controller.reconcileOnce()
        #expect(noOp.plan.actions.isEmpty && noOp.converged)
        #expect(noOp.apiCalls == 2, "a no-op pass lists sandboxes (one page) and volumes, nothing else")
        #expect(!noOp.wroteStore)
        #expect(try await harness.store.events().count == eventsBefore && harness.store.statuses() == statusesBefore, "and writes nothing")
    }

    @Test func aPassThatSeesNothingNewReusesTheSettledPlanUntilSomethingChanges() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply(sandboxYAML("api") + "---\n" + "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: web\nspec:\n  replicas: 3\n  template: {image: busybox, command: [sleep, infinity]}\n")
        let controller = harness.controller()
        try await harness.converge(controller)
        let settle = try await controller.reconcileOnce()
        #expect(settle.converged && !settle.wroteStore)
        let reused = try await controller.reconcileOnce()
        #expect(reused.reusedPlan, "the same listing, revisions and nothing waiting: the settled plan is reused")
        #expect(reused.converged && reused.plan.actions.isEmpty && !reused.wroteStore && reused.apiCalls == 1)
        #expect(reused.plan.statuses.map(\.logicalName) == ["api", "web-0", "web-1", "web-2"] && reused.plan.statuses.allSatisfy { $0.health == .healthy })

        // The desired state changes: planned in full.
        try harness.apply(sandboxYAML("api", image: "python:3.13-slim"))
        let afterApply = try await controller.reconcileOnce()
        #expect(!afterApply.reusedPlan && afterApply.succeeded.map(\.summary) == ["create sandbox api-g2"])
        try await harness.converge(controller)

        // Nothing changes for longer than the full-pass interval: planned in full all the same.
        _ = try await controller.reconcileOnce()
        #expect(try await controller.reconcileOnce().reusedPlan)
        harness.clock.advance(by: ControllerOptions().fullPassInterval + 1)
        let late = try await controller.reconcileOnce()
        #expect(!late.reusedPlan && late.converged && !late.wroteStore)

        // The API's answer changes: planned in full, and the killed sandbox comes back.
        #expect(try await controller.reconcileOnce().reusedPlan)
        try await harness.porter.sandboxes.get(name: "web-1-g1").terminate(source: .cli)
        let afterKill = try await controller.reconcileOnce()
        #expect(!afterKill.reusedPlan)
        try await harness.converge(controller)
        #expect(try await harness.liveNames() == ["api-g2", "web-0-g1", "web-1-g2", "web-2-g1"])
    }

    @Test func aSandboxKilledOutOfBandComesBackAsTheNextGeneration() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply(sandboxYAML("api"))
        let controller = harness.controller()
        try await harness.converge(controller)
        try await harness.porter.sandboxes.get(name: "api-g1").terminate(source: .cli)
        try await harness.converge(controller)
        #expect(try await harness.liveNames() == ["api-g2"])
        let reasons = try await harness.store.events().filter { $0.name == "api" }.map(\.reason.rawValue)
        #expect(reasons.contains("Terminated") && reasons.filter { $0 == "Created" }.count == 2)
    }

    /// A TTL of a second rotates the sandbox every second; rotation is never a crash loop, however short
    /// the TTL (it used to wait 10, 20, 40 s … between rotations under `CrashLoopBackOff`).
    @Test func ttlRotationIsNeverACrashLoop() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply(sandboxYAML("api", extra: "  ttl_seconds: 1\n  restart_policy: always\n"))
        let controller = harness.controller()
        try await harness.converge(controller)
        var generations: [Int] = [1]
        for _ in 2...5 {
            // Each wait outlives the TTL, so each converge creates a newer generation (more than one newer
            // when the machine is slow); a backoff would hold it back for 10 s and more.
            try await Task.sleep(for: .milliseconds(1_100))
            try await harness.converge(controller)
            generations.append(try harness.store.statuses().first { $0.logicalName == "api" }?.lastGeneration ?? 0)
        }
        #expect(zip(generations, generations.dropFirst()).allSatisfy { $0 < $1 }, "rotated every time: \(generations)")
        let events = try await harness.store.events().filter { $0.name == "api" }
        #expect(!events.contains { $0.reason == .crashLoopBackOff }, "\(events.map(\.message))")
        #expect(try harness.store.statuses().first { $0.logicalName == "api" }?.failureCount == 0)
    }

    /// A pass sends no more once the desired state it was planned from has changed: a set deleted a second
    /// after it was applied is not created in full (it used to be, and then terminated).
    @Test func aPassStopsSendingWhenTheDesiredStateChanges() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply("apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: big\nspec:\n  replicas: 1000\n  template: {image: busybox, command: [sleep, infinity]}\n")
        let controller = harness.controller { $0.flow.queriesPerSecond = 50 }
        let pass = Task { try await controller.reconcileOnce() }
        try await Task.sleep(for: .seconds(1))
        _ = try harness.store.deleteAll()
        let result = try await pass.value
        #expect(result.succeeded.count < 500, "\(result.succeeded.count) of 1,000 created after the set was deleted a second in")
        #expect(result.deferred.count == 1000 - result.succeeded.count - result.failed.count)
        #expect(result.deferred.allSatisfy { $0.hasSuffix("not sent, the desired state changed during the pass") })
        let unsent = Set(result.deferred.compactMap { $0.split(separator: " ").dropFirst(2).first.map { String($0.dropLast()) } })
        let intents = Set(try harness.store.reconcilerState().intents.map(\.actualName))
        #expect(!unsent.isEmpty && unsent.isDisjoint(with: intents), "the unsent creates' intents are settled (a sent one that timed out keeps its own)")
    }

    /// A lost store applied again starts a new fleet id: it must not run the old fleet's sandboxes a second
    /// time. It holds, names the old fleet and the command; claiming the old id recovers without a create.
    @Test func aNewStoreNeverDuplicatesAnotherFleetsSandboxes() async throws {
        let harness = try await ReconcilerHarness.start(fleet: "fleet-old")
        defer { Task { await harness.stop() } }
        let manifest = sandboxYAML("api") + "---\napiVersion: porter-fleet/v1\nkind: SandboxSet\nname: agent\nspec:\n  replicas: 2\n  template: {image: busybox, command: [sleep, infinity]}\n"
        try harness.apply(manifest)
        try await harness.converge(harness.controller())
        let before = try await harness.liveNames()
        #expect(before == ["agent-0-g1", "agent-1-g1", "api-g1"])

        func controller(claiming fleet: String) throws -> (FleetController, SQLiteFleetStore) {
            let store = try SQLiteFleetStore(path: harness.directory.appendingPathComponent("\(fleet)-\(UUID().uuidString).db").path)
            try store.claim(fleetID: fleet)
            let manifests = try ManifestParser.parse(manifest, file: "test.yaml")
            _ = try store.apply(manifests.map { ($0, "test.yaml") }, sources: ["test.yaml"], prune: false, dryRun: false)
            let controller = FleetController(
                store: store, backend: PorterSandboxBackend(porter: harness.porter), options: ControllerOptions(), clock: harness.clock)
            return (controller, store)
        }
        let (fresh, freshStore) = try controller(claiming: "fleet-new")
        let first = try await fresh.reconcileOnce()
        var last = first
        for _ in 0..<4 { last = try await fresh.reconcileOnce() }
        #expect(try await harness.liveNames() == before, "nothing was created twice, however many passes run")
        #expect(last.plan.held.count == 3, "the hold stands on every pass, not only the first")
        #expect(first.plan.held.count == 3 && first.plan.held.allSatisfy { $0.contains("fleet fleet-old") && $0.contains("--fleet fleet-old") })
        #expect(!first.converged)
        #expect(try await freshStore.events().contains { $0.reason == .otherFleetLive })

        let (recovered, _) = try controller(claiming: "fleet-old")
        let passes = try await harness.converge(recovered)
        #expect(passes.allSatisfy { $0.succeeded.isEmpty }, "claiming the old fleet's id takes its sandboxes over as they are")
        #expect(try await harness.liveNames() == before)
    }

    /// Events keep the object they were recorded for: after a scale-down, a former member's events still
    /// read `SandboxSet/agent[2]` (they used to turn into `Sandbox/agent-2`, a kind and name that never existed).
    @Test func eventsKeepTheirObjectAfterAScaleDown() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        func set(_ replicas: Int) -> String {
            "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: agent\nspec:\n  replicas: \(replicas)\n  template: {image: busybox, command: [sleep, infinity]}\n"
        }
        try harness.apply(set(3))
        try await harness.converge(harness.controller())
        try harness.apply(set(1))
        try await harness.converge(harness.controller())
        let objects = try EventObjects(resources: try await harness.store.resources())
        let events = try await harness.store.events().filter { $0.name == "agent-2" }
        #expect(events.contains { $0.reason == .created } && events.contains { $0.reason == .orphanTerminated })
        #expect(events.allSatisfy { objects.object(of: $0) == "SandboxSet/agent[2]" }, "\(events.map { objects.object(of: $0) })")
        #expect(events.allSatisfy { objects.event($0, isAbout: "SandboxSet/agent") }, "events --for SandboxSet/agent still finds them")
    }

    @Test func aSpecChangeIsReplacedCreateBeforeDestroy() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply(sandboxYAML("api"))
        let controller = harness.controller()
        try await harness.converge(controller)
        try harness.apply(sandboxYAML("api", image: "python:3.13-slim", extra: "  env: {MODE: fast}\n"))
        let planned = try await controller.plan()
        #expect(
            planned.actions.first?.fieldChanges == [
                FieldChange(secretAt: "spec.env.MODE", .added),
                FieldChange(path: "spec.image", old: "\"python:3.12-slim\"", new: "\"python:3.13-slim\""),
            ], "the plan names the fields that changed since generation 1 was created")
        #expect(planned.actions.first?.headline == "create sandbox api-g2: replace drifted generation 1")
        #expect(planned.events.contains { $0.reason == .drift && $0.message == #"generation 1: + spec.env.MODE: (set), ~ spec.image: "python:3.12-slim" → "python:3.13-slim""# })
        let first = try await controller.reconcileOnce()
        #expect(first.plan.actions.count == 1 && first.succeeded.map(\.summary) == ["create sandbox api-g2"])
        #expect(try await harness.liveNames() == ["api-g1", "api-g2"], "the old generation runs while the new one starts")
        try await harness.converge(controller)
        #expect(try await harness.liveNames() == ["api-g2"])
        let g2 = try await harness.porter.sandboxes.get(name: "api-g2")
        #expect(g2.status?.image == "python:3.13-slim")
        #expect(try await harness.store.events().contains { $0.reason == .drift && $0.name == "api" })
    }

    @Test func othersSandboxesAreNeverTouched() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        _ = try await harness.porter.sandboxes.create(image: "x", name: "untagged", command: ["sleep", "1"])
        _ = try await harness.porter.sandboxes.create(
            image: "x", name: "api-g1-other", tags: ["porter-fleet/fleet": "other", "porter-fleet/name": "api", "porter-fleet/generation": "1"])
        _ = try await harness.porter.sandboxes.create(image: "x", name: "half-tagged", tags: ["porter-fleet/name": "api"])
        _ = try await harness.porter.sandboxes.create(image: "x", name: "fleet-tag-only", tags: ["porter-fleet/fleet": "default"])
        try harness.apply(sandboxYAML("api"))
        try await harness.converge(harness.controller { $0.allowPrune = true })
        _ = try harness.store.deleteAll()
        try await harness.converge(harness.controller())
        #expect(try await harness.liveNames() == ["api-g1-other", "fleet-tag-only", "half-tagged", "untagged"])
        let warning = try await harness.store.events().first { $0.reason == .incompleteOwnership }
        #expect(warning?.name == "fleet-tag-only", "reported by its actual name, never terminated")
    }

    /// The crash-loop count belongs to one spec: after five failures, a changed spec whose first generation
    /// fails too counts one failure (it used to count six and wait 160 s), however often the controller
    /// process starts again in between (each `reconcile --once` rebuilds the history from the store).
    @Test func aNewSpecStartsItsFailureCountAtZero() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        let crashing = "  env: {PORTER_SIMULATED_EXIT_AFTER: 20ms, PORTER_SIMULATED_EXIT_CODE: \"3\"}\n"
        try harness.apply(sandboxYAML("crash", extra: crashing))
        func pass() async throws {
            _ = try await harness.controller().reconcileOnce()  // a fresh controller: history from the store
            try await Task.sleep(for: .milliseconds(150))
            harness.clock.advance(by: 400)  // past any backoff
        }
        for _ in 0..<6 { try await pass() }
        let before = try #require(try harness.store.statuses().first)
        #expect(before.failureCount >= 5, "\(before.failureCount)")
        try harness.apply(sandboxYAML("crash", image: "python:3.13-slim", extra: crashing))
        for _ in 0..<2 { try await pass() }
        let after = try #require(try harness.store.statuses().first)
        #expect(after.failureCount == 1, "the new spec's first failure: \(after.failureCount)")
    }

    @Test func aCrashLoopingSandboxBacksOff() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        try harness.apply(sandboxYAML("crash", extra: "  env: {PORTER_SIMULATED_EXIT_AFTER: 20ms, PORTER_SIMULATED_EXIT_CODE: \"3\"}\n"))
        let controller = harness.controller()
        _ = try await controller.reconcileOnce()
        try await Task.sleep(for: .milliseconds(200))
        let once = try await controller.reconcileOnce()
        #expect(once.succeeded.map(\.summary) == ["create sandbox crash-g2"], "a sandbox that died once is replaced at once")
        try await Task.sleep(for: .milliseconds(200))
        let twice = try await controller.reconcileOnce()
        #expect(twice.plan.actions.isEmpty, "after the second failure the next generation waits out the backoff")
        #expect(twice.plan.statuses.first?.health == .backoff)
        let status = try #require(try harness.store.statuses().first)
        #expect(status.failureCount == 2 && status.backoffUntil.map { $0.timeIntervalSince(Date()) > 5 } == true, "10 s after the second failure")
        harness.clock.advance(by: 11)
        let retried = try await controller.reconcileOnce()
        #expect(retried.succeeded.map(\.summary) == ["create sandbox crash-g3"])
        try await Task.sleep(for: .milliseconds(200))
        _ = try await controller.reconcileOnce()
        let events = try await harness.store.events().filter { $0.name == "crash" }
        #expect(events.contains { $0.reason == .failed && $0.message.contains("exit code 3") })
        #expect(events.contains { $0.reason == .crashLoopBackOff && $0.type == .warning })
        #expect(try harness.store.statuses().first?.failureCount == 3)
        #expect(try harness.store.statuses().first?.backoffUntil.map { $0.timeIntervalSince(Date()) > 15 } == true, "20 s after the third failure ended (the API's clock)")
    }

    @Test func retainedVolumesSurviveAndDeletedOnesGoAfterTheirSandboxes() async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        let volumes = """
            apiVersion: porter-fleet/v1
            kind: Volume
            name: keep
            ---
            apiVersion: porter-fleet/v1
            kind: Volume
            name: drop
            spec: {deletion_policy: delete}
            ---

            """
        try harness.apply(volumes + sandboxYAML("user", extra: "  volume_mounts: {/k: keep, /d: drop}\n"))
        let controller = harness.controller()
        try await harness.converge(controller)
        let foreign = try await harness.porter.volumes.create(name: "foreign")
        _ = try harness.store.deleteAll()
        try await harness.converge(controller)
        try await harness.converge(controller)
        let scope = try harness.store.settings().volumeNamePrefix
        let names = try await harness.porter.volumes.list().map(\.name).sorted()
        #expect(names == ["foreign", scope + "keep"].sorted(), "retain keeps, delete deletes, and a volume we did not create is never touched")
        let reasons = try await harness.store.events().map(\.reason.rawValue)
        #expect(reasons.contains("VolumeRetained") && reasons.contains("VolumeDeleted"))
        _ = foreign

        // With nothing declared, passes skip the volume listing: the retained volume stays remembered, and
        // declaring it again uses it again (it used to be forgotten, then refused as VolumeNameTaken).
        harness.clock.advance(by: ControllerOptions().fullPassInterval + 1)
        try await harness.converge(controller)
        #expect(try harness.store.reconcilerState().ownedVolumes["keep"] != nil, "the retained volume is remembered")
        try harness.apply("apiVersion: porter-fleet/v1\nkind: Volume\nname: keep\n")
        let again = try await harness.converge(controller)
        #expect(!(again.last?.plan.events.contains { $0.reason == .volumeNameTaken } ?? true))
        #expect(try await harness.porter.volumes.list().map(\.name).sorted() == ["foreign", scope + "keep"].sorted())
    }

    @Test func underInjectedFaultsEveryLogicalNameEndsWithExactlyOneLiveGeneration() async throws {
        let harness = try await ReconcilerHarness.start(faults: FaultSpec(serverErrorRate: 0.15, rateLimitRate: 0.1, dropRate: 0.25))
        defer { Task { await harness.stop() } }
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 12\n  template: {image: x, command: [sleep, infinity]}\n"
        try harness.apply(set)
        let controller = harness.controller { $0.flow.ceiling = 6 }
        var converged = false
        for _ in 0..<120 {
            if let result = try? await controller.reconcileOnce(), result.converged {
                converged = true
                break
            }
            try await Task.sleep(for: .milliseconds(30))
        }
        #expect(converged)
        let clean = try await ReconcilerHarness.liveByLogical(harness.porter)
        #expect(clean.count == 12)
        #expect(clean.values.allSatisfy { $0 == 1 }, "\(clean)")
        let reasons = try await harness.store.events().map(\.reason.rawValue)
        #expect(reasons.contains("Adopted"), "dropped creates were retried and settled by name, not duplicated: \(Set(reasons))")
    }
}

extension ReconcilerHarness {
    /// Live generations per logical name (listed without faults through a fresh client with retries).
    static func liveByLogical(_ porter: Porter) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for attempt in 0..<20 {
            do {
                counts = [:]
                for try await sandbox in porter.sandboxes.all(tags: ["porter-fleet/fleet": "default"], phases: [.queued, .creating, .running]) {
                    counts[sandbox.tags?["porter-fleet/name"] ?? "?", default: 0] += 1
                }
                return counts
            } catch {
                if attempt == 19 { throw error }
            }
        }
        return counts
    }
}

@Suite("The example manifests converge")
struct ExampleManifestTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("manifests/examples")

    @Test func everyExampleIsTested() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.examples.path).filter { $0.hasSuffix(".yaml") }
        #expect(Set(files) == ["quickstart.yaml", "fleet.yaml", "jobs.yaml", "sandbox-set.yaml"])
    }

    @Test(arguments: ["quickstart.yaml", "fleet.yaml", "jobs.yaml", "sandbox-set.yaml"])
    func exampleConverges(_ file: String) async throws {
        let harness = try await ReconcilerHarness.start()
        defer { Task { await harness.stop() } }
        let text = try String(contentsOf: Self.examples.appendingPathComponent(file), encoding: .utf8)
        try harness.apply(text)
        let passes = try await harness.converge(harness.controller())
        #expect(passes.last?.converged == true)
        let expected = try await DesiredFleet(resources: harness.store.resources(), settings: harness.store.settings(), pruneAllRequested: false).sandboxes.count
        #expect(try await harness.liveNames().count == expected)
    }
}

@Suite("Run-once jobs with real processes")
struct JobTests {
    @Test func jobsRunOnceAndComplete() async throws {
        let harness = try await ReconcilerHarness.start(runtime: .process)
        defer { Task { await harness.stop() } }
        let text = try String(contentsOf: ExampleManifestTests.examples.appendingPathComponent("jobs.yaml"), encoding: .utf8)
        try harness.apply(text)
        let controller = harness.controller()
        var statuses: [String: String] = [:]
        for _ in 0..<100 {
            let result = try await controller.reconcileOnce()
            statuses = Dictionary(uniqueKeysWithValues: result.plan.statuses.map { ($0.logicalName, $0.health.rawValue) })
            if statuses.values.allSatisfy({ $0 == "Completed" }) && statuses.count == 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(statuses == ["nightly-report": "Completed", "migrate-once": "Completed"])
        let created = try await harness.store.events().filter { $0.reason == .created }.map(\.name).sorted()
        #expect(created == ["migrate-once", "nightly-report"], "each job ran exactly once")
        let logs = try await harness.porter.sandboxes.get(name: "nightly-report-g1").logs()
        #expect(logs.map(\.line) == ["building the report", "report done"])
    }
}
