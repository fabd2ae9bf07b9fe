import FleetModel
import FleetStore
import Foundation
import PorterSandbox
import Testing

@testable import FleetReconciler

/// Table-driven tests of every rule of docs/reconcile-rules.md, on the pure planner.
@Suite("Planner: the reconcile rules")
struct PlannerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func template(_ image: String = "img:1", policy: RestartPolicy? = nil, mounts: [String: String]? = nil) -> SandboxTemplate {
        var template = SandboxTemplate()
        template.image = image
        template.command = ["sleep", "infinity"]
        template.restartPolicy = policy
        template.volumeMounts = mounts
        return template
    }

    static func fleet(_ sandboxes: [DesiredSandbox], volumes: [DesiredVolume] = [], pruneAll: Bool = false) -> DesiredFleet {
        DesiredFleet(fleetID: "default", sandboxes: sandboxes, volumes: volumes, pruneAllRequested: pruneAll)
    }

    static func desired(_ name: String, _ template: SandboxTemplate = template()) -> DesiredSandbox {
        DesiredSandbox(logicalName: name, owner: "Sandbox/\(name)", template: template)
    }

    static func hash(_ sandbox: DesiredSandbox, volumeIDs: [String: String] = [:]) -> String {
        CreateRequest.specHash(CreateRequest.base(sandbox, volumeIDs: volumeIDs)!)
    }

    static func live(
        _ name: String, generation: Int, hash: String, phase: SandboxPhase = .running, fleet: String = "default", image: String = "img:1",
        mounts: [String: String] = [:]
    ) -> ObservedSandbox {
        ObservedSandbox(
            id: "id-\(name)-\(generation)", name: "\(name)-g\(generation)",
            tags: [OwnershipTags.fleet: fleet, OwnershipTags.name: name, OwnershipTags.generation: "\(generation)", OwnershipTags.specHash: hash],
            phase: phase, image: image, volumeMounts: mounts, createdAt: now.addingTimeInterval(-3600), startedAt: now.addingTimeInterval(-3500))
    }

    static func creates(_ plan: Plan) -> [String] {
        plan.actions.compactMap { if case .createSandbox(_, _, let actual, _, _, _) = $0 { actual } else { nil } }
    }

    static func terminates(_ plan: Plan) -> [String] {
        plan.actions.compactMap { if case .terminateSandbox(_, let actual, _, _) = $0 { actual } else { nil } }
    }

    @Test func nothingLiveCreatesTheFirstGenerationWithOwnershipTags() throws {
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([Self.desired("api"), Self.desired("worker")]), live: [], now: Self.now))
        #expect(Self.creates(plan) == ["api-g1", "worker-g1"])
        guard case .createSandbox(_, _, _, let spec, let hash, _) = plan.actions[0] else {
            Issue.record("no create")
            return
        }
        #expect(spec.name == "api-g1")
        #expect(spec.tags?.additionalProperties == [
            "porter-fleet/fleet": "default", "porter-fleet/name": "api", "porter-fleet/generation": "1", "porter-fleet/spec-hash": hash,
        ])
        #expect(hash == Self.hash(Self.desired("api")) && hash.count == 16)
        #expect(plan.statuses.map(\.health) == [.missing, .missing])
    }

    @Test func aLiveMatchingGenerationIsANoOp() {
        let api = Self.desired("api")
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [Self.live("api", generation: 3, hash: Self.hash(api))], now: Self.now))
        #expect(plan.actions.isEmpty && plan.events.isEmpty)
        #expect(plan.statuses.first?.sync == .synced && plan.statuses.first?.health == .healthy && plan.statuses.first?.generation == 3)
    }

    @Test func driftCreatesTheNextGenerationFirst() {
        let api = Self.desired("api", Self.template("img:2"))
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [Self.live("api", generation: 3, hash: "0000000000000000")], now: Self.now))
        #expect(Self.creates(plan) == ["api-g4"])
        #expect(Self.terminates(plan).isEmpty, "create before destroy")
        #expect(plan.events.map(\.reason.rawValue) == ["Drift"])
        #expect(plan.statuses.first?.health == .progressing)
    }

    @Test func visibleDriftIsReplacedEvenWithAMatchingHash() {
        let api = Self.desired("api")
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [Self.live("api", generation: 1, hash: Self.hash(api), image: "other:9")], now: Self.now))
        #expect(Self.creates(plan) == ["api-g2"])
    }

    @Test func theOldGenerationGoesOnceTheNewOneRuns() {
        let api = Self.desired("api", Self.template("img:2"))
        let old = Self.live("api", generation: 1, hash: "old", image: "img:1")
        let starting = Self.live("api", generation: 2, hash: Self.hash(api), phase: .creating, image: "img:2")
        let waiting = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [old, starting], now: Self.now))
        #expect(waiting.actions.isEmpty && waiting.statuses.first?.health == .progressing)
        let running = Self.live("api", generation: 2, hash: Self.hash(api), image: "img:2")
        let done = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [old, running], now: Self.now))
        #expect(Self.terminates(done) == ["api-g1"] && Self.creates(done).isEmpty)
        #expect(done.statuses.first?.sync == .synced)
    }

    @Test func surgeBoundsReplacementsInFlight() {
        let sandboxes = (0..<8).map { Self.desired("s\($0)", Self.template("img:2")) }
        let live = (0..<8).map { Self.live("s\($0)", generation: 1, hash: "old") }
        let defaultSurge = Planner.plan(PlannerInput(desired: Self.fleet(sandboxes), live: live, now: Self.now))
        #expect(Self.creates(defaultSurge).count == 2, "25% of 8")
        let three = Planner.plan(PlannerInput(desired: Self.fleet(sandboxes), live: live, now: Self.now, maxSurge: 3))
        #expect(Self.creates(three).count == 3)
        var inFlight = live
        inFlight.append(Self.live("s0", generation: 2, hash: Self.hash(sandboxes[0]), phase: .creating, image: "img:2"))
        inFlight.append(Self.live("s1", generation: 2, hash: Self.hash(sandboxes[1]), phase: .creating, image: "img:2"))
        let full = Planner.plan(PlannerInput(desired: Self.fleet(sandboxes), live: inFlight, now: Self.now))
        #expect(Self.creates(full).isEmpty, "two replacements already in flight")
        #expect(!full.isInSync && full.waitingOn.contains { $0.contains("waits for max_surge") }, "waiting on the surge limit is not in sync")
    }

    /// A replacement in flight whose spec is edited again: neither live generation matches. Waiting for
    /// the surge limit would wait on itself forever (one slot, held by this very sandbox); a third
    /// generation would make three live. The newest running one is kept, the other terminated, and the
    /// next pass replaces the kept one.
    @Test func aReplacementOvertakenByAnotherEditKeepsTheNewestRunningGeneration() {
        let api = Self.desired("api", Self.template("img:3"))
        let old = Self.live("api", generation: 1, hash: "spec-1", image: "img:1")
        let overtaken = Self.live("api", generation: 2, hash: "spec-2", image: "img:2")
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [old, overtaken], now: Self.now))
        #expect(Self.creates(plan).isEmpty && Self.terminates(plan) == ["api-g1"], "\(plan.actions.map(\.summary)) \(plan.waitingOn)")
        #expect(plan.statuses.first?.generation == 2 && plan.statuses.first?.health == .progressing)
        let starting = Self.live("api", generation: 2, hash: "spec-2", phase: .creating, image: "img:2")
        let beforeRunning = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [old, starting], now: Self.now))
        #expect(Self.creates(beforeRunning).isEmpty && Self.terminates(beforeRunning) == ["api-g2"], "the running generation is the one kept")
        let roomy = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [old, overtaken], now: Self.now, maxSurge: 5))
        #expect(Self.creates(roomy).isEmpty && Self.terminates(roomy) == ["api-g1"], "never a third live generation, whatever the surge limit")
        let next = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [overtaken], now: Self.now))
        #expect(Self.creates(next) == ["api-g3"], "then replaced, create before destroy")
    }

    @Test func duplicateGenerationsKeepTheNewestRunning() {
        let api = Self.desired("api")
        let hash = Self.hash(api)
        let plan = Planner.plan(PlannerInput(
            desired: Self.fleet([api]),
            live: [Self.live("api", generation: 1, hash: hash), Self.live("api", generation: 2, hash: hash), Self.live("api", generation: 3, hash: hash, phase: .queued)],
            now: Self.now))
        #expect(Set(Self.terminates(plan)) == ["api-g1", "api-g3"])
        #expect(plan.statuses.first?.generation == 2)
    }

    struct PolicyCase: Sendable, CustomTestStringConvertible {
        var policy: RestartPolicy
        var phase: SandboxPhase
        var reason: TerminationReason?
        var restarts: Bool
        var testDescription: String { "\(policy.rawValue) after \(phase.rawValue) \(reason?.rawValue ?? "")" }
    }

    static let policyCases: [PolicyCase] = [
        .init(policy: .always, phase: .succeeded, restarts: true),
        .init(policy: .always, phase: .failed, restarts: true),
        .init(policy: .always, phase: .terminated, reason: .ttlExpired, restarts: true),
        .init(policy: .always, phase: .terminated, reason: .sdk, restarts: true),
        .init(policy: .onFailure, phase: .succeeded, restarts: false),
        .init(policy: .onFailure, phase: .failed, restarts: true),
        .init(policy: .onFailure, phase: .terminated, reason: .backendLost, restarts: true),
        .init(policy: .onFailure, phase: .terminated, reason: .launchFailed, restarts: true),
        .init(policy: .onFailure, phase: .terminated, reason: .ttlExpired, restarts: false),
        .init(policy: .never, phase: .succeeded, restarts: false),
        .init(policy: .never, phase: .failed, restarts: false),
        .init(policy: .never, phase: .terminated, reason: .cli, restarts: false),
    ]

    @Test(arguments: policyCases)
    func restartPolicies(_ testCase: PolicyCase) {
        let job = Self.desired("job", Self.template(policy: testCase.policy))
        let history = LogicalHistory(lastGeneration: 4, lastOutcome: .init(generation: 4, phase: testCase.phase, reason: testCase.reason))
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([job]), live: [], history: ["job": history], now: Self.now))
        #expect(Self.creates(plan) == (testCase.restarts ? ["job-g5"] : []))
        #expect(plan.statuses.first?.health == (testCase.restarts ? HealthStatus.missing : .completed))
    }

    @Test func backoffHoldsTheNextGeneration() {
        let api = Self.desired("api")
        let until = Self.now.addingTimeInterval(20)
        let history = LogicalHistory(lastGeneration: 2, failureCount: 2, backoffUntil: until, lastOutcome: .init(generation: 2, phase: .failed))
        let held = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [], history: ["api": history], now: Self.now))
        #expect(held.actions.isEmpty && held.statuses.first?.health == .backoff && held.requeueAt == until)
        let later = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [], history: ["api": history], now: until.addingTimeInterval(1)))
        #expect(Self.creates(later) == ["api-g3"])
    }

    @Test func backoffTimings() {
        #expect((1...8).map { LogicalHistory.backoff(afterFailures: $0) } == [0, 10, 20, 40, 80, 160, 300, 300])
        var history = LogicalHistory()
        let start = Self.now
        func end(_ generation: Int, _ phase: SandboxPhase, reason: TerminationReason? = nil, after seconds: TimeInterval, spec: String = "a",
            policy: RestartPolicy = .always, superseded: Bool = false)
        {
            history.recordEnd(
                .init(generation: generation, phase: phase, reason: reason, specHash: spec), startedAt: start,
                finishedAt: start.addingTimeInterval(seconds), policy: policy, supersededByLive: superseded)
        }
        end(1, .failed, after: 5)
        #expect(history.failureCount == 1 && history.backoffUntil == nil, "a sandbox that dies once is replaced at once")
        end(2, .succeeded, after: 30)
        #expect(history.failureCount == 2 && history.backoffUntil == start.addingTimeInterval(40), "a quick exit 0 under always counts")
        end(3, .terminated, reason: .ttlExpired, after: 40)
        #expect(history.failureCount == 2, "TTL expiry is a rotation, not a crash")
        end(3, .terminated, reason: .backendLost, after: 41)
        #expect(history.failureCount == 2, "a backend that lost the sandbox (a restarted server) is not the workload's doing")
        end(3, .terminated, reason: .cli, after: 42)
        #expect(history.failureCount == 2, "nor is a termination someone asked for")
        end(3, .failed, reason: .workloadExited, after: 43)
        #expect(history.failureCount == 3, "a workload that exits under always counts")
        end(4, .terminated, reason: .sdk, after: 44, superseded: true)
        #expect(history.failureCount == 3, "a generation porter-fleet replaced does not")
        end(5, .succeeded, after: 50, policy: .onFailure)
        #expect(history.failureCount == 3, "a completed run does not")
        end(6, .failed, after: 60, spec: "b")
        #expect(history.failureCount == 1 && history.failingSpecHash == "b", "a new spec starts its own count")
        history.recordRunning(generation: 7, startedAt: start, now: start.addingTimeInterval(599))
        #expect(history.failureCount == 1)
        history.recordRunning(generation: 7, startedAt: start, now: start.addingTimeInterval(600))
        #expect(history.failureCount == 0 && history.backoffUntil == nil, "ten minutes of clean running resets")
        end(7, .failed, after: 900, spec: "b")
        #expect(history.failureCount == 0 && history.lastGeneration == 7, "dying after ten clean minutes is not a crash loop")
    }

    /// Under `restart_policy: always`, a replacement that exits 0 at once backs off like one that fails
    /// (it used to be recreated every pass), and the old generation keeps running meanwhile.
    @Test func aReplacementThatExitsAtOnceBacksOff() {
        let api = Self.desired("api", Self.template("img:2"))
        let hash = Self.hash(api)
        let history = LogicalHistory(
            lastGeneration: 3, failureCount: 2, backoffUntil: Self.now.addingTimeInterval(10),
            lastOutcome: .init(generation: 3, phase: .succeeded, exitCode: 0, specHash: hash))
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [Self.live("api", generation: 1, hash: "old")], history: ["api": history], now: Self.now))
        #expect(plan.actions.isEmpty && plan.statuses.first?.health == .degraded)
        #expect(plan.requeueAt == Self.now.addingTimeInterval(10))
        #expect(!plan.isInSync, "a rollout in backoff is not in sync, although nothing is to be done now")
    }

    /// Fixing the spec lifts the backoff of the broken one at once.
    @Test func aNewSpecIsNotHeldBackByTheOldOnesBackoff() {
        let fixed = Self.desired("api", Self.template("img:fixed"))
        let history = LogicalHistory(
            lastGeneration: 18, failureCount: 18, backoffUntil: Self.now.addingTimeInterval(300),
            lastOutcome: .init(generation: 18, phase: .failed, exitCode: 1, specHash: "broken"))
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([fixed]), live: [], history: ["api": history], now: Self.now))
        #expect(Self.creates(plan) == ["api-g19"])
    }

    /// A failed rollout backs off the new spec only: when the healthy old generation dies meanwhile, it
    /// is replaced at once instead of waiting out the rollout's backoff.
    @Test func aDeadOldGenerationIsReplacedDuringAFailedRollout() {
        let api = Self.desired("api", Self.template("img:2"))
        let hash = Self.hash(api)
        var history = LogicalHistory(
            lastGeneration: 20, failureCount: 18, backoffUntil: Self.now.addingTimeInterval(300),
            lastOutcome: .init(generation: 20, phase: .failed, exitCode: 1, specHash: hash))
        history.recordEnd(
            .init(generation: 1, phase: .failed, reason: .backendLost, specHash: "old"), startedAt: Self.now.addingTimeInterval(-86_400),
            finishedAt: Self.now, policy: .always, supersededByLive: false)
        history.lastOutcome = .init(generation: 1, phase: .failed, reason: .backendLost, specHash: "old")
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [], history: ["api": history], now: Self.now))
        #expect(Self.creates(plan) == ["api-g21"], "\(plan.statuses.first?.message ?? "")")
    }

    @Test func replacementThatFailedLeavesTheOldOneRunning() {
        let api = Self.desired("api", Self.template("img:2"))
        let history = LogicalHistory(
            lastGeneration: 2, failureCount: 2, backoffUntil: Self.now.addingTimeInterval(10),
            lastOutcome: .init(generation: 2, phase: .failed, specHash: Self.hash(api)))
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [Self.live("api", generation: 1, hash: "old")], history: ["api": history], now: Self.now))
        #expect(plan.actions.isEmpty)
        #expect(plan.statuses.first?.health == .degraded && plan.statuses.first?.actualName == "api-g1")
    }

    @Test func orphansAreTerminatedButNeverAnotherFleetsOrAHalfTaggedOne() {
        let api = Self.desired("api")
        var fleetTagOnly = Self.live("x", generation: 1, hash: "x")
        fleetTagOnly.tags = ["porter-fleet/fleet": "default"]
        fleetTagOnly.name = "stray"
        let live = [
            Self.live("api", generation: 1, hash: Self.hash(api)), Self.live("old", generation: 2, hash: "x"),
            Self.live("theirs", generation: 1, hash: "x", fleet: "other"), fleetTagOnly,
        ]
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: live, now: Self.now))
        #expect(Self.terminates(plan) == ["old-g2"])
        let warning = plan.events.first { $0.reason == .incompleteOwnership }
        #expect(warning?.name == "stray" && warning?.type == .warning, "named by its actual name, never an empty one")
        let emptied = Planner.plan(PlannerInput(desired: Self.fleet([]), live: live, now: Self.now))
        #expect(Set(Self.terminates(emptied)) == ["api-g1", "old-g2"], "2 sandboxes are below the guard's minimum; never another fleet's")
    }

    /// The prune guard holds terminations of sandboxes no longer desired when they are at least 5 and
    /// more than half of the fleet's live sandboxes; `delete --all` or --allow-prune lifts it.
    @Test func thePruneGuardHoldsOnlyWhenMostOfTheFleetWouldGo() {
        let names = (0..<10).map { "a-\($0)" }
        let live = names.map { Self.live($0, generation: 1, hash: Self.hash(Self.desired($0))) }
        func plan(keeping kept: Int, pruneAll: Bool = false) -> Plan {
            Planner.plan(PlannerInput(desired: Self.fleet(names.prefix(kept).map { Self.desired($0) }, pruneAll: pruneAll), live: live, now: Self.now))
        }
        let held = plan(keeping: 4)
        #expect(held.actions.isEmpty && held.events.map(\.reason) == [.pruneHeld] && !held.isInSync, "6 of 10 would go")
        #expect(held.held.first?.hasPrefix("6 of the fleet's 10 live sandboxes are no longer desired") == true)
        #expect(Self.terminates(plan(keeping: 5)).count == 5, "exactly half is not most")
        #expect(Self.terminates(plan(keeping: 6)).count == 4, "fewer than 5 are never held")
        #expect(Self.terminates(plan(keeping: 0)).isEmpty, "nothing declared: the same rule holds all 10")
        #expect(Self.terminates(plan(keeping: 0, pruneAll: true)).count == 10, "delete --all or --allow-prune lifts it")
        #expect(plan(keeping: 10).isInSync)
    }

    @Test func generationsContinueAfterTheHighestSeen() {
        let api = Self.desired("api", Self.template("img:2"))
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([api]), live: [Self.live("api", generation: 41, hash: "old")], now: Self.now))
        #expect(Self.creates(plan) == ["api-g42"], "a lost store recovers generations from tags")
        let retried = Planner.plan(PlannerInput(
            desired: Self.fleet([Self.desired("api")]), live: [],
            history: ["api": LogicalHistory(lastGeneration: 7)],
            retryIntents: ["api": CreateIntent(actualName: "api-g7", kind: "sandbox", logicalName: "api", generation: 7, createdAt: Self.now)],
            now: Self.now))
        #expect(Self.creates(retried) == ["api-g7"], "an unfinished create is retried under the same name")
    }

    @Test func volumesComeFirstAndSandboxesWaitForThem() {
        let user = Self.desired("user", Self.template(mounts: ["/data": "data"]))
        let fleet = Self.fleet([user], volumes: [DesiredVolume(logicalName: "data")])
        let first = Planner.plan(PlannerInput(desired: fleet, live: [], now: Self.now))
        #expect(first.actions == [.createVolume(logicalName: "data", actualName: "data")])
        #expect(first.statuses.first?.message == "waiting for volume data")
        let owned = OwnedVolume(logicalName: "data", volumeID: "vol-1", actualName: "data", adopted: false, deletionPolicy: "retain", createdAt: Self.now)
        let second = Planner.plan(PlannerInput(
            desired: fleet, live: [], volumes: [ObservedVolume(id: "vol-1", name: "data", phase: .ready, attachedTo: [])],
            ownedVolumes: ["data": owned], now: Self.now))
        guard case .createSandbox(_, _, _, let spec, _, _) = second.actions.first else {
            Issue.record("no create")
            return
        }
        #expect(spec.volumeMounts?.additionalProperties == ["/data": "vol-1"], "logical names resolve to ids")
    }

    @Test func volumeNamesTakenByOthersAreNeverUsedUnlessAdopted() {
        let existing = ObservedVolume(id: "vol-x", name: "data", phase: .ready, attachedTo: [])
        let taken = Planner.plan(PlannerInput(desired: Self.fleet([], volumes: [DesiredVolume(logicalName: "data")]), live: [], volumes: [existing], now: Self.now))
        #expect(taken.actions.isEmpty && taken.events.map(\.reason.rawValue) == ["VolumeNameTaken"])
        #expect(!taken.isInSync && taken.waitingOn == ["Volume/data: a volume named data exists that porter-fleet did not create; set adopt: true to use it"])
        // A create that never got an answer is no evidence under a plain name: another fleet may have made it.
        let intended = Planner.plan(PlannerInput(
            desired: Self.fleet([], volumes: [DesiredVolume(logicalName: "data")]), live: [], volumes: [existing], volumeIntents: ["data"], now: Self.now))
        #expect(intended.actions.isEmpty && intended.events.map(\.reason) == [.volumeOwnershipUnknown] && !intended.isInSync)
        let adopted = Planner.plan(PlannerInput(
            desired: Self.fleet([], volumes: [DesiredVolume(logicalName: "data", spec: .init(adopt: true))]), live: [], volumes: [existing], now: Self.now))
        #expect(adopted.actions == [.adoptVolume(logicalName: "data", volumeID: "vol-x", actualName: "data", adopted: true)])
    }

    @Test func aScopedNameIsTheEvidenceThatAVolumeIsOurs() {
        var fleet = Self.fleet([], volumes: [DesiredVolume(logicalName: "data")])
        fleet.volumeNaming = .scoped
        let scoped = fleet.actualVolumeName(DesiredVolume(logicalName: "data"))
        #expect(fleet.actualVolumeName(DesiredVolume(logicalName: "data", spec: .init(adopt: true))) == "data", "adopt names a volume made before the fleet")
        #expect(scoped == VolumeNaming.scope(fleetID: fleet.fleetID) + "data" && scoped.count == "data".count + VolumeNaming.scopeLength)
        let first = Planner.plan(PlannerInput(desired: fleet, live: [], volumes: [ObservedVolume(id: "vol-x", name: "data", phase: .ready, attachedTo: [])], now: Self.now))
        #expect(first.actions == [.createVolume(logicalName: "data", actualName: scoped)], "another fleet's plain 'data' is not in the way")
        let found = Planner.plan(PlannerInput(
            desired: fleet, live: [], volumes: [ObservedVolume(id: "vol-ours", name: scoped, phase: .ready, attachedTo: [])], now: Self.now))
        #expect(found.actions == [.adoptVolume(logicalName: "data", volumeID: "vol-ours", actualName: scoped, adopted: false)])
        #expect(VolumeNaming.scope(fleetID: "fleet-a") != VolumeNaming.scope(fleetID: "fleet-b"))
        #expect(VolumeNaming.scope(fleetID: "fleet-a") == VolumeNaming.scope(fleetID: "fleet-a"), "a recovered store derives the same names")
    }

    @Test func undesiredVolumesAreRetainedOrDeletedOnlyWhenOurs() {
        let observed = [
            ObservedVolume(id: "v-keep", name: "keep", phase: .ready, attachedTo: []),
            ObservedVolume(id: "v-drop", name: "drop", phase: .ready, attachedTo: []),
            ObservedVolume(id: "v-busy", name: "busy", phase: .ready, attachedTo: ["sb-1"]),
            ObservedVolume(id: "v-foreign", name: "foreign", phase: .ready, attachedTo: []),
        ]
        let owned = [
            "keep": OwnedVolume(logicalName: "keep", volumeID: "v-keep", actualName: "keep", adopted: false, deletionPolicy: "retain", createdAt: Self.now),
            "drop": OwnedVolume(logicalName: "drop", volumeID: "v-drop", actualName: "drop", adopted: false, deletionPolicy: "delete", createdAt: Self.now),
            "busy": OwnedVolume(logicalName: "busy", volumeID: "v-busy", actualName: "busy", adopted: false, deletionPolicy: "delete", createdAt: Self.now),
        ]
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([]), live: [], volumes: observed, ownedVolumes: owned, now: Self.now))
        #expect(plan.actions == [
            .deleteVolume(logicalName: "drop", volumeID: "v-drop"), .retainVolume(logicalName: "keep", volumeID: "v-keep"),
        ])
        #expect(plan.events.map(\.reason.rawValue) == ["VolumeRetained"])
    }

    /// A volume that existed before porter-fleet and was adopted is never deleted, whatever its policy.
    @Test func adoptedVolumesAreNeverDeleted() {
        let observed = [ObservedVolume(id: "v-theirs", name: "theirs", phase: .ready, attachedTo: [])]
        let owned = ["theirs": OwnedVolume(logicalName: "theirs", volumeID: "v-theirs", actualName: "theirs", adopted: true, deletionPolicy: "delete", createdAt: Self.now)]
        let plan = Planner.plan(PlannerInput(desired: Self.fleet([]), live: [], volumes: observed, ownedVolumes: owned, now: Self.now))
        #expect(plan.actions == [.retainVolume(logicalName: "theirs", volumeID: "v-theirs")])
        #expect(plan.events.map(\.reason) == [.adoptedVolumeKept] && plan.events.first?.type == .warning)
    }

    /// A retained volume is remembered: nothing more happens to it while undesired, and declaring it
    /// again uses it again instead of reporting its name as taken.
    @Test func aRetainedVolumeDeclaredAgainIsUsedAgain() {
        let observed = [ObservedVolume(id: "v-data", name: "data", phase: .ready, attachedTo: [])]
        let retained = OwnedVolume(
            logicalName: "data", volumeID: "v-data", actualName: "data", adopted: false, deletionPolicy: "retain", createdAt: Self.now,
            retainedAt: Self.now)
        let idle = Planner.plan(PlannerInput(desired: Self.fleet([]), live: [], volumes: observed, ownedVolumes: ["data": retained], now: Self.now))
        #expect(idle.actions.isEmpty && idle.events.isEmpty, "retained once, then left alone")
        let declared = Planner.plan(PlannerInput(
            desired: Self.fleet([], volumes: [DesiredVolume(logicalName: "data")]), live: [], volumes: observed, ownedVolumes: ["data": retained], now: Self.now))
        #expect(declared.actions == [.adoptVolume(logicalName: "data", volumeID: "v-data", actualName: "data", adopted: false)])
        #expect(!declared.events.contains { $0.reason == .volumeNameTaken } && declared.isInSync == false)
        let gone = Planner.plan(PlannerInput(desired: Self.fleet([]), live: [], volumes: [], ownedVolumes: ["data": retained], now: Self.now))
        #expect(gone.actions == [.forgetVolume(logicalName: "data", volumeID: "v-data")], "a retained volume deleted by hand is forgotten")
    }
}
