import FleetModel
import FleetReconciler
import FleetStore
import FleetStoreSQLite
import FleetTestSupport
import Foundation
import PorterSandbox

/// One fleet of the state machine: its store, the controllers that act for it, and what befell its store.
/// A fleet on SQLite has two writers taking turns through the lease, as replicas of `run` do; a fleet in
/// memory has one controller without a lease. Its store can be lost and replaced by a fresh one that
/// applies the same manifests, claiming the old fleet id (`apply --fleet OLD_ID`) or, by mistake, not.
final class MachineFleet {
    /// Where the fleet's stores live.
    enum Engine {
        case sqlite(directory: URL)
        case memory
    }

    /// A controller acting for the fleet, with the lease holder it acts as (none: it holds no lease).
    struct Writer {
        let holder: String?
        var controller: FleetController
        let checked: OwnershipCheckedBackend
        let fenced: FencedBackend?
    }

    /// What one attempt at a pass came to.
    enum PassAttempt {
        /// Another writer held the lease.
        case refused
        case failed(any Error)
        case done(ReconcileResult)
    }

    let label: String
    let names: RandomManifests.Names
    let engine: Engine
    let holders: [String]
    let api: FakeSandboxBackend
    let clock: ManualClock
    let ledger: VolumeLedger
    private(set) var store: any FleetStore
    private(set) var fleetID: String
    private(set) var writers: [Writer] = []
    /// Set while the store is one created without `--fleet` after the store of this fleet id was lost.
    private(set) var mistakenFor: String?
    private var storesMade = 0

    /// Deterministic and never waiting on the manual clock: one action at a time, no rate limit.
    static var options: ControllerOptions {
        var options = ControllerOptions()
        options.flow.ceiling = 1
        return options
    }

    init(
        label: String, names: RandomManifests.Names, engine: Engine, holders: [String], fleetID: String, volumeNaming: VolumeNaming,
        api: FakeSandboxBackend, clock: ManualClock, ledger: VolumeLedger
    ) async throws {
        self.label = label
        self.names = names
        self.engine = engine
        self.holders = holders
        self.api = api
        self.clock = clock
        self.ledger = ledger
        self.fleetID = fleetID
        store = InMemoryFleetStore()
        store = try await openStore(claiming: fleetID, volumeNaming: volumeNaming)
        writers = makeWriters()
    }

    /// How the current store names volumes.
    var volumeNaming: VolumeNaming { get async { (try? await store.settings().volumeNaming) ?? .scoped } }

    /// The fleet as traces name it: `A (fleet-a)`.
    var title: String { "\(label) (\(fleetID))" }

    /// A new store of the fleet's engine claiming `fleetID`. New stores name volumes with the fleet's scope;
    /// `plain` makes it one created before scoped names, whose volumes any fleet may name alike.
    private func openStore(claiming fleetID: String, volumeNaming: VolumeNaming) async throws -> any FleetStore {
        storesMade += 1
        let store: any FleetStore
        switch engine {
        case .sqlite(let directory):
            store = try SQLiteFleetStore(path: directory.appendingPathComponent("\(label)-\(storesMade).db").path)
        case .memory:
            store = InMemoryFleetStore()
        }
        try await store.claim(fleetID: fleetID)
        try await store.setVolumeNaming(volumeNaming)
        return store
    }

    private func makeWriters() -> [Writer] {
        (holders.isEmpty ? [nil] : holders.map(Optional.some)).map(makeWriter)
    }

    private func makeWriter(_ holder: String?) -> Writer {
        let clock = clock
        let fenced = holder.map { FencedBackend(api, store: store, holder: $0, now: clock.now) }
        let checked = OwnershipCheckedBackend(fenced ?? api, api: api, fleet: fleetID, ledger: ledger)
        return Writer(holder: holder, controller: FleetController(store: store, backend: checked, options: Self.options, clock: clock), checked: checked, fenced: fenced)
    }

    /// A writer's process dies and starts again with no memory (its lease, if any, left to expire).
    func restartWriter(_ index: Int) {
        writers[index].controller = FleetController(store: store, backend: writers[index].checked, options: Self.options, clock: clock)
    }

    /// One pass by a writer: a leased writer first takes the lease (as `reconcile`, `gc`, `run` and `up`
    /// do), and afterwards gives it up or keeps it.
    func pass(by index: Int, collectingGarbage: Bool, options: ControllerOptions? = nil, givesLeaseUp: Bool) async -> PassAttempt {
        var writer = writers[index]
        if let options { writer.controller = FleetController(store: store, backend: writer.checked, options: options, clock: clock) }
        var grant: LeaseGrant?
        if let holder = writer.holder {
            grant = try? await store.acquireLease(holder: holder, duration: 15, now: clock.now())
            guard let grant else { return .refused }
            await writer.controller.setFencing(holder: holder, token: grant.token, leaseDuration: 15)
        }
        let attempt: PassAttempt
        do {
            attempt = .done(try await collectingGarbage ? writer.controller.collectGarbage() : writer.controller.reconcileOnce())
        } catch {
            attempt = .failed(error)
        }
        if givesLeaseUp, let grant { try? await store.releaseLease(holder: grant.holder, token: grant.token) }
        return attempt
    }

    /// Gives up every lease the fleet's writers hold.
    func releaseLeases() async throws {
        guard let grant = try await store.leaseHolder(now: clock.now()), holders.contains(grant.holder) else { return }
        try await store.releaseLease(holder: grant.holder, token: grant.token)
    }

    /// What `status` and `plan` answer now: a plan by a controller that remembers nothing.
    func statusAnswer() async throws -> Plan {
        try await FleetController(store: store, backend: api, options: Self.options, clock: clock).plan()
    }

    /// Violations recorded at the calls of every writer since the last drain.
    func drainCallViolations() -> [String] {
        writers.flatMap { writer in
            writer.checked.drainViolations() + (writer.fenced?.violations.withLock { found in defer { found.removeAll() }; return found } ?? [])
        }
    }

    /// The store is lost. A fresh store applies the manifests the lost one held, claiming `claim` (the
    /// old id for a recovery, or a new id when the operator forgot `--fleet`).
    func loseStore(claiming claim: String, volumeNaming: VolumeNaming) async throws {
        let manifests = try await store.resources().map { (manifest: try $0.manifest(), source: $0.source) }
        let sources = Array(Set(manifests.map(\.source))).sorted()
        if claim != fleetID { mistakenFor = mistakenFor ?? fleetID } else { mistakenFor = nil }
        fleetID = claim
        store = try await openStore(claiming: claim, volumeNaming: volumeNaming)
        if !manifests.isEmpty { _ = try await store.apply(manifests, sources: sources, prune: true, dryRun: false) }
        writers = makeWriters()
    }

    /// The operator notices the fleet runs under a new id, removes what that store made (`delete --all`
    /// and passes), drops it and recovers the original id. False when the clean-up did not finish.
    func reclaimOriginalID(passes: Int, volumeNaming: VolumeNaming) async throws -> Bool {
        guard let original = mistakenFor else { return true }
        let manifests = try await store.resources().map { (manifest: try $0.manifest(), source: $0.source) }
        _ = try await store.deleteAll()
        var cleaned = false
        for _ in 0..<passes {
            clock.advance(by: 16)
            api.expireLifetimes()
            if case .done(let result) = await pass(by: 0, collectingGarbage: false, givesLeaseUp: true), result.converged {
                cleaned = !api.allSandboxes.contains { $0.fleet == fleetID && !$0.phase.isTerminal }
                break
            }
        }
        let sources = Array(Set(manifests.map(\.source))).sorted()
        fleetID = original
        mistakenFor = nil
        store = try await openStore(claiming: original, volumeNaming: volumeNaming)
        if !manifests.isEmpty { _ = try await store.apply(manifests, sources: sources, prune: true, dryRun: false) }
        writers = makeWriters()
        return cleaned
    }
}
