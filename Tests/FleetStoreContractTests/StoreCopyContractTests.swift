import FleetModel
import FleetStore
import Foundation
import Testing

/// `store copy` between every pair of engines: everything but the lease arrives, in one transaction,
/// and a destination that holds a fleet is refused unless told to replace it.
@Suite("Store contract: copying a whole store")
struct StoreCopyContractTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000.25)

    /// A store with something in every table.
    static func populate(_ store: any FleetStore) async throws {
        try await store.claim(fleetID: "fleet-copytest01")
        try await store.setNamePrefix("team-a")
        _ = try await store.apply(try manifests(sandbox("api", mounting: "data") + "---\n" + volume("data")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        _ = try await store.apply(try manifests(sandbox("worker"), source: "more.yaml"), sources: ["more.yaml"], prune: false, dryRun: false)
        try await store.recordIntents([CreateIntent(actualName: "team-a-worker-g1", kind: "sandbox", logicalName: "worker", generation: 1, createdAt: now)])
        var changes = ReconcilerChanges()
        changes.sandboxes = [
            ActualSandboxRecord(
                id: "sb-1", name: "team-a-api-g1", logicalName: "api", generation: 1, specHash: "h1", phase: "running", createdAt: now,
                startedAt: now.addingTimeInterval(2), tracked: true),
            ActualSandboxRecord(
                id: "sb-0", name: "team-a-old-g3", logicalName: "old", generation: 3, specHash: "h0", phase: "failed", exitCode: 2,
                terminationReason: "error", createdAt: now, finishedAt: now.addingTimeInterval(9), tracked: false),
        ]
        changes.statuses = [
            LogicalSandboxStatus(
                logicalName: "api", owner: "Sandbox/api", lastGeneration: 1, failureCount: 1, failingSpecHash: "h1", backoffUntil: now.addingTimeInterval(10), sync: .synced,
                health: .healthy, phase: "running", generation: 1, actualID: "sb-1", actualName: "team-a-api-g1", message: "ok", lastTransitionAt: now)
        ]
        changes.ownedVolumes = [OwnedVolume(logicalName: "data", volumeID: "vol-1", actualName: "team-a-data", adopted: false, deletionPolicy: "retain", createdAt: now)]
        changes.events = [
            FleetEvent(kind: .sandbox, name: "api", type: .normal, reason: .created, message: "created", at: now),
            FleetEvent(kind: .sandbox, name: "api", type: .warning, reason: .failed, message: "failed", at: now.addingTimeInterval(1)),
            FleetEvent(kind: .volume, name: "data", type: .normal, reason: .volumeCreated, message: "made", at: now.addingTimeInterval(2)),
        ]
        try await store.commit(changes, now: now)
    }

    /// The snapshot's parts as JSON with dates in whole milliseconds (the precision every engine keeps).
    static func comparable(_ snapshot: StoreSnapshot) throws -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Int64((date.timeIntervalSince1970 * 1000).rounded()))
        }
        let snapshot = snapshot.normalized
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        return [
            try json(snapshot.settings), "\(snapshot.revision) \(String(describing: snapshot.pruneAllRequestedRevision)) \(snapshot.reconcilerRevision)",
            try json(snapshot.resources), try json(snapshot.sandboxes), try json(snapshot.statuses), try json(snapshot.intents),
            try json(snapshot.volumes), try json(snapshot.events),
        ]
    }

    @Test(arguments: StoreEngine.allCases, StoreEngine.allCases)
    func aCopyKeepsEverythingButTheLease(from source: StoreEngine, to destination: StoreEngine) async throws {
        let (from, _, cleanupSource) = try await source.makeStores()
        defer { cleanupSource() }
        let (to, other, cleanupDestination) = try await destination.makeStores()
        defer { cleanupDestination() }
        try await Self.populate(from)
        _ = try await from.acquireLease(holder: "controller-a", duration: 15, now: Self.now)
        let snapshot = try await from.snapshot()
        #expect(!snapshot.isEmpty && snapshot.sandboxes.count == 2 && snapshot.events.count == 3)

        try await to.claim(fleetID: nil)  // a new store claims an id of its own; that alone is not "a fleet"
        try await to.restore(snapshot, replacing: false)
        let copied = try Self.comparable(try await other.snapshot())
        let original = try Self.comparable(snapshot)
        #expect(copied == original, "first difference: \(zip(copied, original).first { $0 != $1 }.map { "\($0)\n≠\n\($1)" } ?? "")")
        #expect(try await other.settings() == FleetSettings(fleetID: "fleet-copytest01", namePrefix: "team-a", volumeNaming: .scoped))
        #expect(try await other.leaseHolder(now: Self.now) == nil, "the lease stays behind")
        #expect(try await other.reconcilerState().trackedSandboxes.map(\.name) == ["team-a-api-g1"])

        // Events go on from the copied ones: a new one gets a larger id and folds like any other.
        var more = ReconcilerChanges()
        more.events = [FleetEvent(kind: .volume, name: "data", type: .normal, reason: .volumeCreated, message: "made", at: Self.now.addingTimeInterval(5))]
        try await to.commit(more, now: Self.now.addingTimeInterval(5))
        let events = try await other.events()
        #expect(events.count == 3 && events.last?.count == 2)

        await #expect(throws: FleetStoreError.self, "a destination that holds a fleet is refused") { try await to.restore(snapshot, replacing: false) }
        var smaller = snapshot
        smaller.resources.removeAll { $0.name == "worker" }
        try await to.restore(smaller, replacing: true)
        #expect(try await other.resources().map(\.name) == ["data", "api"])
    }
}
