import FleetModel
import FleetReconciler
import FleetStore
import FleetStoreSQLite
import FleetTestSupport
import Foundation
import PorterSandbox
import Synchronization

/// A randomized, seeded state machine over the whole controller: random edits of the desired state
/// (apply, scale, delete), out-of-band endings, injected API faults, two writers on one store taking
/// turns through the lease (one of them "killed" now and then: its memory lost, its lease left to
/// expire), a second store with default settings on the same API, bystanders of other fleets, an
/// adopted volume. After every step the safety invariants are checked (``violations``).
final class FleetStateMachine {
    let seed: UInt64
    let random: SharedRandom
    let clock = ManualClock()
    let backend: FakeSandboxBackend
    let faulty = Switch()
    let directory: URL
    let store: SQLiteFleetStore
    let otherStore = InMemoryFleetStore()
    var writers: [Writer] = []
    let other: FleetController
    /// Sandboxes that are not this fleet's, by id, with the phase they must keep.
    var bystanders: [String: SandboxPhase] = [:]
    let adoptedVolumeID: String
    var violations: [String] = []
    /// Desired logical names with two live generations after the previous step.
    var doubledBefore = 0
    var step = 0
    /// SQLite's `integrity_check` runs after every this many steps (1: every step, as in CI; it reads the
    /// whole store, so long runs check less often).
    let integrityEvery: Int
    /// What the last step did, for failure messages.
    var lastStep = ""
    /// How often each kind of thing happened, so a run that exercised nothing does not pass unnoticed.
    var tally: [String: Int] = [:]
    /// Whether this step was a pass of this fleet's writers.
    var actedThisStep = false

    /// A writer: a controller acting only while it holds the lease.
    struct Writer {
        let holder: String
        var controller: FleetController
        let backend: FencedBackend
    }

    init(seed: UInt64, integrityEvery: Int = 1) throws {
        self.seed = seed
        self.integrityEvery = max(1, integrityEvery)
        let random = SharedRandom(seed: seed)
        self.random = random
        let faulty = faulty
        let clock = clock
        backend = FakeSandboxBackend(now: clock.now) { _ in
            guard faulty.isOn else { return nil }
            if random.chance(0.1) { return .fail(random.chance(0.5) ? .server : .rateLimited) }
            return random.chance(0.05) ? .dropAnswer : nil
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-state-machine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteFleetStore(path: directory.appendingPathComponent("fleet.db").path)
        try store.claim(fleetID: nil)
        try otherStore.claim(fleetID: nil)
        other = FleetController(store: otherStore, backend: backend, options: Self.options, clock: clock)
        adoptedVolumeID = backend.seedVolume(name: "legacy")
        for holder in ["writer-a", "writer-b"] { writers.append(makeWriter(holder)) }
        try seedBystanders()
        _ = try otherStore.apply(try Self.manifests(Self.set("agent", replicas: 2, image: "i:1")), sources: ["other.yaml"], prune: true, dryRun: false)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Deterministic and never waiting on the manual clock: one action at a time, no rate limit.
    static var options: ControllerOptions {
        var options = ControllerOptions()
        options.flow.ceiling = 1
        return options
    }

    func makeWriter(_ holder: String) -> Writer {
        let fenced = FencedBackend(backend, store: store, holder: holder, now: clock.now)
        return Writer(holder: holder, controller: FleetController(store: store, backend: fenced, options: Self.options, clock: clock), backend: fenced)
    }

    private func seedBystanders() throws {
        let fleet = try store.settings().fleetID
        backend.seed(name: "theirs-g1", tags: [OwnershipTags.fleet: "someone-else", OwnershipTags.name: "agent-0", OwnershipTags.generation: "1"])
        backend.seed(name: "untagged", tags: [:])
        backend.seed(name: "fleet-tag-only", tags: [OwnershipTags.fleet: fleet])
        for sandbox in backend.allSandboxes { bystanders[sandbox.id] = sandbox.phase }
    }

    // MARK: Steps

    /// One random step, then the invariants.
    func runStep() async throws {
        step += 1
        let roll = random.int(in: 0...99)
        lastStep = "roll \(roll)"
        actedThisStep = roll >= 54
        switch roll {
        case 0..<14: try applyRandomDesiredState()
        case 14..<20: try scaleRandomly()
        case 20..<24: try deleteSomething()
        case 24..<32: endSomethingOutOfBand()
        case 32..<36: faulty.toggle()
        case 36..<40: killAWriter()
        case 40..<46: _ = try? await other.reconcileOnce()
        case 46..<54: clock.advance(by: Double(random.int(in: 1...30)))
        default: await passByAWriter()
        }
        try checkInvariants()
    }

    func applyRandomDesiredState() throws {
        var text = Self.set("agent", replicas: random.int(in: 0...8), image: random.chance(0.5) ? "i:1" : "i:2")
        if random.chance(0.6) { text += "---\n" + Self.sandbox("api", policy: "always") }
        if random.chance(0.5) { text += "---\n" + Self.sandbox("migrate", policy: "never") }
        if random.chance(0.5) {
            text += "---\napiVersion: porter-fleet/v1\nkind: Volume\nname: legacy\nspec:\n  adopt: true\n  deletion_policy: delete\n"
        }
        if random.chance(0.5) { text += "---\napiVersion: porter-fleet/v1\nkind: Volume\nname: scratch\nspec:\n  deletion_policy: delete\n" }
        _ = try? store.apply(try Self.manifests(text), sources: ["fleet.yaml"], prune: true, dryRun: false)
    }

    func scaleRandomly() throws {
        _ = try? store.scale(set: "agent", replicas: random.int(in: 0...8))
    }

    func deleteSomething() throws {
        let resources = try store.resources()
        guard !resources.isEmpty else { return }
        let victim = resources[random.int(in: 0...(resources.count - 1))]
        _ = try? store.delete(kind: victim.kind, names: [victim.name])
    }

    func endSomethingOutOfBand() {
        let fleet = (try? store.settings().fleetID) ?? ""
        let live = backend.allSandboxes.filter { $0.isOwned(by: fleet) && !$0.phase.isTerminal }
        guard !live.isEmpty else { return }
        let victim = live[random.int(in: 0...(live.count - 1))]
        let phase: SandboxPhase = [.failed, .succeeded, .terminated][random.int(in: 0...2)]
        backend.end(name: victim.name, phase: phase, exitCode: phase == .failed ? 1 : 0)
    }

    /// A writer dies without giving the lease up: a new process starts with no memory.
    func killAWriter() {
        let index = random.int(in: 0...(writers.count - 1))
        tally["writer killed", default: 0] += 1
        writers[index].controller = FleetController(store: store, backend: writers[index].backend, options: Self.options, clock: clock)
    }

    /// A writer acts only while it holds the lease, as `reconcile`, `gc`, `run` and `up` do.
    func passByAWriter() async {
        let writer = writers[random.int(in: 0...(writers.count - 1))]
        guard let grant = try? store.acquireLease(holder: writer.holder, duration: 15, now: clock.now()) else {
            tally["pass refused: lease held", default: 0] += 1
            return
        }
        tally["pass", default: 0] += 1
        await writer.controller.setFencing(holder: writer.holder, token: grant.token, leaseDuration: 15)
        _ = try? await (random.chance(0.15) ? writer.controller.collectGarbage() : writer.controller.reconcileOnce())
        if random.chance(0.5) { try? store.releaseLease(holder: writer.holder, token: grant.token) }
    }

    // MARK: Invariants

    func checkInvariants() throws {
        let fleet = try store.settings().fleetID
        let all = backend.allSandboxes
        let otherFleet = try otherStore.settings().fleetID
        for sandbox in all {
            if let phase = bystanders[sandbox.id], sandbox.phase != phase {
                fail("\(sandbox.name) is not this fleet's and went from \(phase) to \(sandbox.phase)")
            }
            if sandbox.fleet == otherFleet, sandbox.phase.isTerminal {
                fail("\(sandbox.name) of the second store's fleet was ended")
            }
        }
        if backend.allVolumes[adoptedVolumeID] == nil { fail("the adopted volume was deleted") }
        checkGenerations(all.filter { $0.isOwned(by: fleet) })
        for writer in writers {
            for violation in writer.backend.violations.withLock({ $0 }) { fail(violation) }
            writer.backend.violations.withLock { $0.removeAll() }
        }
        if step % integrityEvery == 0 {
            let integrity = try store.integrityCheck()
            if integrity != "ok" { fail("integrity_check: \(integrity)") }
        }
    }

    /// No generation number used twice; at most two live generations of a logical sandbox; and no step
    /// raises the number of desired logical sandboxes being replaced above the surge limit.
    func checkGenerations(_ owned: [ObservedSandbox]) {
        var seen: Set<String> = []
        for sandbox in owned where !seen.insert("\(sandbox.logicalName ?? "")#\(sandbox.generation ?? 0)").inserted {
            fail("generation \(sandbox.generation ?? 0) of \(sandbox.logicalName ?? "") was used twice")
        }
        let desired = Set(((try? DesiredFleet(resources: store.resources(), settings: store.settings(), pruneAllRequested: false))?.sandboxes ?? []).map(\.logicalName))
        let live = Dictionary(grouping: owned.filter { !$0.phase.isTerminal }) { $0.logicalName ?? "" }
        for (name, generations) in live where generations.count > 2 { fail("\(name) has \(generations.count) live generations") }
        let doubled = live.filter { desired.contains($0.key) && $0.value.count > 1 }.count
        let limit = max(1, desired.count / 4)
        // Only a pass creates; edits of the desired state can make names with two live generations desired again.
        if actedThisStep, doubled > max(limit, doubledBefore) {
            let detail = live.filter { $0.value.count > 1 }.map { "\($0.key): \($0.value.map { "\($0.name)/\($0.specHash ?? "-")" })" }.sorted()
            fail("\(doubled) replacements in flight, above the surge limit \(limit) (was \(doubledBefore), step \(lastStep)): \(detail)")
        }
        doubledBefore = doubled
    }

    private func fail(_ message: String) {
        violations.append("seed \(seed) step \(step): \(message)")
    }

    /// Faults off, time moving, one writer: the fleet must converge.
    func settle() async throws -> Bool {
        faulty.set(false)
        for holder in writers.map(\.holder) {
            if let grant = try store.leaseHolder(now: clock.now()), grant.holder == holder { try store.releaseLease(holder: holder, token: grant.token) }
        }
        var options = Self.options
        options.allowPrune = true
        let writer = writers[0]
        let controller = FleetController(store: store, backend: writer.backend, options: options, clock: clock)
        for _ in 0..<40 {
            clock.advance(by: 301)
            guard let grant = try store.acquireLease(holder: writer.holder, duration: 15, now: clock.now()) else { continue }
            await controller.setFencing(holder: writer.holder, token: grant.token, leaseDuration: 15)
            if try await controller.reconcileOnce().converged {
                try checkInvariants()
                if try store.integrityCheck() != "ok" { fail("integrity_check after settling") }
                return true
            }
        }
        return false
    }

    /// A flag shared with the fault script.
    final class Switch: Sendable {
        private let state = Mutex(false)
        var isOn: Bool { state.withLock { $0 } }
        func toggle() { state.withLock { $0.toggle() } }
        func set(_ on: Bool) { state.withLock { $0 = on } }
    }

    // MARK: Manifests

    static func set(_ name: String, replicas: Int, image: String) -> String {
        "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: \(name)\nspec:\n  replicas: \(replicas)\n  template:\n    image: \(image)\n"
    }

    static func sandbox(_ name: String, policy: String) -> String {
        "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: \(name)\nspec:\n  image: i:1\n  restart_policy: \(policy)\n"
    }

    static func manifests(_ text: String) throws -> [(manifest: Manifest, source: String)] {
        try ManifestParser.parse(text, file: "fleet.yaml").map { ($0, "fleet.yaml") }
    }
}
