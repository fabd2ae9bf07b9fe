import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import PorterSandbox
import Synchronization

/// A randomized, seeded state machine over the whole controller. Two fleets (two stores, distinct fleet
/// ids) share one fake API: fleet A on SQLite with two writers taking turns through the lease, fleet B in
/// memory with one controller. Each step is one random operation: an apply, scale or delete in either
/// store (sets, sandboxes, jobs, volumes), a pass of either fleet, API faults switched on or off (5xx and
/// lost answers, volume creates included), a sandbox ending on its own, time moving on (TTLs run out), the
/// API restarting (every live sandbox lost), a controller process restarting, a store lost and replaced
/// by a fresh one applying the same manifests (with the old fleet id, or by mistake a new one, cleaned up
/// later). After every step the invariants are checked (``checkInvariants()``); a violation names the
/// seed and the step, and the trace (``trace``) says what every step did.
final class FleetStateMachine {
    let seed: UInt64
    let random: SharedRandom
    let clock = ManualClock()
    let api: FakeSandboxBackend
    let faults = FaultSwitch()
    let volumeLedger = VolumeLedger()
    let directory: URL
    var fleets: [MachineFleet] = []
    var violations: [String] = []
    var reportedViolations: Set<String> = []
    var trace = StepTrace()
    var step = 0
    /// SQLite's `integrity_check` runs after every this many steps (1: every step, as in CI; it reads the
    /// whole store, so long runs check less often).
    let integrityEvery: Int
    /// How often each kind of thing happened, so a run that exercised nothing does not pass unnoticed.
    var tally: [String: Int] = [:]
    /// Sandboxes no fleet owns, by id, with the phase they must keep unless the API itself ends them.
    var bystanders: [String: SandboxPhase] = [:]
    /// The volume that was on the API before any fleet, adopted with `adopt: true`.
    let adoptedVolumeID: String
    var crashLoops = CrashLoopAccounting()
    var jobs: JobLedger
    /// The desired logical sandboxes of each fleet at a store revision, by fleet label.
    var desiredNames: [String: (store: any FleetStore, revision: Int64, names: Set<String>)] = [:]
    /// Desired logical names with two live generations after the previous step, by fleet label.
    var doubledBefore: [String: Int] = [:]
    /// What each fleet's store remembered for the reconciler at a revision, by fleet label.
    var reconcilerStates: [String: (store: any FleetStore, revision: Int64, state: ReconcilerState)] = [:]
    /// The fleet that made a pass in this step.
    var passedThisStep: MachineFleet?
    /// Fleet ids made so far, for new ids.
    var fleetIDsMade = 0
    /// Whether both fleets name volumes plainly. Then a volume name, once taken by a lost store's volume or
    /// by the other fleet's, stays taken until adopted, and adopted volumes are never deleted: a run may
    /// delete none.
    let volumeNamesArePlain: Bool

    init(seed: UInt64, integrityEvery: Int = 1) async throws {
        self.seed = seed
        self.integrityEvery = max(1, integrityEvery)
        let random = SharedRandom(seed: seed)
        self.random = random
        let faults = faults
        let clock = clock
        api = FakeSandboxBackend(now: clock.now) { call in
            guard faults.isActive else { return nil }
            if call == .createVolume, random.chance(0.25) { return .fail(.server) }
            if random.chance(0.1) { return .fail(random.chance(0.5) ? .server : .rateLimited) }
            return random.chance(0.05) ? .dropAnswer : nil
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-state-machine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let namesA = RandomManifests.Names(set: "agent", service: "api", job: "migrate", retriedJob: "backfill", ownVolume: "logs")
        let namesB = RandomManifests.Names(set: "worker", service: "web", job: "report", retriedJob: "reindex", ownVolume: "models")
        jobs = JobLedger(policies: namesA.jobPolicies.merging(namesB.jobPolicies) { first, _ in first })
        adoptedVolumeID = api.seedVolume(name: RandomManifests.legacyVolume)
        let namingA = random.chance(0.5) ? VolumeNaming.plain : .scoped
        let namingB = random.chance(0.5) ? VolumeNaming.plain : .scoped
        volumeNamesArePlain = namingA == .plain && namingB == .plain
        fleets = [
            try await MachineFleet(
                label: "A", names: namesA, engine: .sqlite(directory: directory), holders: ["writer-a", "writer-b"], fleetID: "fleet-a",
                volumeNaming: namingA, api: api, clock: clock, ledger: volumeLedger),
            try await MachineFleet(
                label: "B", names: namesB, engine: .memory, holders: [], fleetID: "fleet-b", volumeNaming: namingB, api: api, clock: clock,
                ledger: volumeLedger),
        ]
        api.seed(name: "theirs-g1", tags: [OwnershipTags.fleet: "someone-else", OwnershipTags.name: "agent-0", OwnershipTags.generation: "1"])
        api.seed(name: "untagged", tags: [:])
        api.seed(name: "fleet-tag-only", tags: [OwnershipTags.fleet: "fleet-a"])
        for sandbox in api.allSandboxes { bystanders[sandbox.id] = sandbox.phase }
        let first = RandomManifests.set("worker", replicas: 2, image: "i:1")
        _ = try await fleets[1].store.apply(try RandomManifests.manifests(first), sources: ["fleet.yaml"], prune: true, dryRun: false)
        trace.record(
            step: 0,
            "seed \(seed); fleet A (fleet-a) on SQLite, writers writer-a and writer-b, volume names \(namingA.rawValue); "
                + "fleet B (fleet-b) in memory, volume names \(namingB.rawValue); B applies worker×2 i:1")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    // MARK: Steps

    /// One random step, then the invariants.
    func runStep() async throws {
        step += 1
        passedThisStep = nil
        let roll = random.int(in: 0...999)
        switch roll {
        case 0..<110: try await applyRandomDesiredState(to: pickFleet())
        case 110..<160: try await scaleRandomly(pickFleet())
        case 160..<200: try await deleteSomething(pickFleet())
        case 200..<270: endSomethingOutOfBand()
        case 270..<310: toggleFaults()
        case 310..<340: restartAController()
        case 340..<480: try await pass(fleets[1])
        case 480..<560: advanceClock(by: random.int(in: 1...30))
        case 560..<580: advanceClock(by: random.int(in: 60...700))
        case 580..<590: restartTheAPI()
        case 590..<605: try await loseAStore()
        case 605..<620: try await reclaimAMistakenFleet()
        default: try await pass(fleets[0])
        }
        try await checkInvariants()
    }

    func pickFleet() -> MachineFleet { fleets[random.chance(0.6) ? 0 : 1] }

    /// Faults off, time moving, the operator acting on what `plan` says is held: both fleets must converge.
    func settle() async throws -> Bool {
        step += 1
        trace.record(step: step, "settle: faults off, leases given up, the operator reclaims mistaken fleet ids and adopts volumes whose names are taken")
        faults.set(false)
        for fleet in fleets where fleet.mistakenFor != nil { try await reclaim(fleet) }
        for fleet in fleets { try await fleet.releaseLeases() }
        var options = MachineFleet.options
        options.allowPrune = true
        for round in 0..<60 {
            advanceClock(by: 16)
            var converged = true
            for fleet in fleets {
                passedThisStep = nil
                let result = try await pass(fleet, writer: 0, collectingGarbage: false, givesLeaseUp: true, options: options)
                converged = converged && result?.converged == true
                if let result, !result.converged { try await adoptHeldVolumes(of: fleet, held: result.plan.held) }
                try await checkInvariants()
            }
            if converged {
                trace.record(step: step, "settled after \(round + 1) rounds")
                return true
            }
        }
        return false
    }

    /// A flag shared with the fault script: faults happen while it is on, and never while the state
    /// machine itself looks at the API (``muted``).
    final class FaultSwitch: Sendable {
        private let state = Mutex((on: false, muted: false))
        var isOn: Bool { state.withLock { $0.on } }
        var isActive: Bool { state.withLock { $0.on && !$0.muted } }
        func toggle() { state.withLock { $0.on.toggle() } }
        func set(_ on: Bool) { state.withLock { $0.on = on } }

        /// Runs `body` with faults held off.
        func muted<T>(_ body: () async throws -> T) async rethrows -> T {
            state.withLock { $0.muted = true }
            defer { state.withLock { $0.muted = false } }
            return try await body()
        }
    }
}
