import FleetModel
import FleetStore
import Foundation
import Testing

/// The reconciler half of the store contract, for every engine: state, intents, events, retention.
@Suite("Store contract: reconciler state and events")
struct ReconcilerStateContractTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func record(_ name: String, generation: Int, tracked: Bool = true) -> ActualSandboxRecord {
        ActualSandboxRecord(
            id: "id-\(name)", name: name, logicalName: "api", generation: generation, specHash: "h", phase: "running", createdAt: now,
            tracked: tracked)
    }

    @Test(arguments: StoreEngine.allCases)
    func commitsAreReadBackAndBumpTheRevisionOnlyWhenSomethingChanged(_ engine: StoreEngine) async throws {
        let (store, other, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        let before = try await store.reconcilerRevision()
        try await store.commit(ReconcilerChanges(), now: Self.now)
        #expect(try await store.reconcilerRevision() == before, "an empty commit writes nothing")
        try await store.recordIntents([CreateIntent(actualName: "api-g1", kind: "sandbox", logicalName: "api", generation: 1, createdAt: Self.now)])
        #expect(try await other.reconcilerState().intents.map(\.actualName) == ["api-g1"], "intents are durable before the create is sent")

        var changes = ReconcilerChanges()
        changes.sandboxes = [Self.record("api-g1", generation: 1)]
        changes.statuses = [LogicalSandboxStatus(logicalName: "api", owner: "Sandbox/api", lastGeneration: 1, failureCount: 2, failingSpecHash: "h1", sync: .synced, health: .healthy, lastTransitionAt: Self.now)]
        changes.settledIntents = ["api-g1"]
        changes.ownedVolumes = [OwnedVolume(logicalName: "data", volumeID: "vol-1", actualName: "data", adopted: false, deletionPolicy: "retain", createdAt: Self.now)]
        try await store.commit(changes, now: Self.now)
        let state = try await other.reconcilerState()
        #expect(state.trackedSandboxes.map(\.name) == ["api-g1"] && state.intents.isEmpty)
        #expect(state.statuses["api"]?.health == .healthy && state.statuses["api"]?.sync == .synced)
        #expect(state.statuses["api"]?.failureCount == 2 && state.statuses["api"]?.failingSpecHash == "h1", "the failing spec is stored")
        #expect(state.ownedVolumes["data"]?.volumeID == "vol-1" && state.newestSandboxes["api"]?.generation == 1 && state.newestEnded.isEmpty)
        var retained = ReconcilerChanges()
        retained.ownedVolumes = [OwnedVolume(logicalName: "old", volumeID: "vol-0", actualName: "old", adopted: true, deletionPolicy: "delete", createdAt: Self.now, retainedAt: Self.now)]
        try await store.commit(retained, now: Self.now)
        #expect(try await other.reconcilerState().ownedVolumes["old"] == retained.ownedVolumes.first, "a retained volume is remembered as such")
        #expect(try await other.reconcilerRevision() > before)
        #expect(try await other.statuses().map(\.logicalName) == ["api"])

        var ended = ReconcilerChanges()
        ended.sandboxes = [Self.record("api-g1", generation: 1, tracked: false)]
        ended.removedStatuses = ["api"]
        ended.releasedVolumes = ["data"]
        try await store.commit(ended, now: Self.now)
        let after = try await other.reconcilerState()
        #expect(after.trackedSandboxes.isEmpty && after.statuses.isEmpty && after.ownedVolumes.keys.sorted() == ["old"])
        #expect(after.newestEnded["api"]?.tracked == false, "the last generation is remembered after it ends")
        #expect(after.newestSandboxes["api"]?.generation == 1)
    }

    @Test(arguments: StoreEngine.allCases)
    func specsAreRecordedOnceAHashAndKeptWhileASandboxHasIt(_ engine: StoreEngine) async throws {
        let (store, other, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        var first = ReconcilerChanges()
        first.sandboxes = [Self.record("api-g1", generation: 1)]
        first.specs = [RecordedSpec(specHash: "h", document: #"{"spec":{"image":"a"},"tags":{}}"#, recordedAt: Self.now)]
        try await store.commit(first, now: Self.now)
        var again = ReconcilerChanges()
        again.specs = [
            RecordedSpec(specHash: "h", document: #"{"spec":{"image":"other"},"tags":{}}"#, recordedAt: Self.now),
            RecordedSpec(specHash: "unused", document: "{}", recordedAt: Self.now),
        ]
        try await store.commit(again, now: Self.now)
        #expect(try await other.recordedSpecs(hashes: ["h", "missing"]).map(\.document) == [#"{"spec":{"image":"a"},"tags":{}}"#], "a hash keeps its first document")
        #expect(try await other.recordedSpecs(hashes: []).isEmpty)
        // A week later: the spec no recorded sandbox has goes with the next write of specs; the other stays.
        var later = ReconcilerChanges()
        later.specs = [RecordedSpec(specHash: "h2", document: "{}", recordedAt: Self.now.addingTimeInterval(8 * 86_400))]
        try await store.commit(later, now: Self.now.addingTimeInterval(8 * 86_400))
        #expect(try await other.recordedSpecs(hashes: ["h", "unused", "h2"]).map(\.specHash) == ["h", "h2"])
        #expect(try await other.snapshot().specs.map(\.specHash) == ["h", "h2"], "snapshots carry them")
    }

    @Test(arguments: StoreEngine.allCases)
    func generationsAreKeptAsLongAsEventsAndTheNewestForGood(_ engine: StoreEngine) async throws {
        let (store, other, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        var changes = ReconcilerChanges()
        changes.sandboxes = [
            Self.record("api-g1", generation: 1, tracked: false), Self.record("api-g2", generation: 2, tracked: false),
            Self.record("api-g3", generation: 3),
        ]
        try await store.commit(changes, now: Self.now)
        #expect(try await other.generations(of: "api").map(\.generation) == [1, 2, 3])
        #expect(try await other.generations(of: "nothing").isEmpty)
        var later = ReconcilerChanges()
        later.sandboxes = [Self.record("api-g3", generation: 3, tracked: false)]
        later.events = [FleetEvent(kind: .sandbox, name: "api", type: .normal, reason: .terminated, message: "x", at: Self.now.addingTimeInterval(8 * 86_400))]
        try await store.commit(later, now: Self.now.addingTimeInterval(8 * 86_400))
        #expect(try await other.generations(of: "api").map(\.generation) == [3], "ended generations go with events; the newest stays")
    }

    @Test(arguments: StoreEngine.allCases)
    func repeatedEventsFoldAndOldOnesGo(_ engine: StoreEngine) async throws {
        let (store, _, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        let now = Self.now
        func event(_ reason: EventReason, _ message: String, at date: Date) -> ReconcilerChanges {
            var changes = ReconcilerChanges()
            changes.events = [FleetEvent(kind: .sandbox, name: "api", type: .warning, reason: reason, message: message, at: date)]
            return changes
        }
        try await store.commit(event(.apiError, "create failed", at: now.addingTimeInterval(-EventRetention.age - 60)), now: now)
        try await store.commit(event(.apiError, "create failed", at: now.addingTimeInterval(-10)), now: now)
        try await store.commit(event(.apiError, "create failed", at: now), now: now)
        try await store.commit(event(.nameConflict, "taken", at: now), now: now)
        let events = try await store.events()
        #expect(events.map(\.reason) == [.apiError, .nameConflict])
        // The first was past the retention age when it was recorded, so it went at once.
        #expect(events.first?.count == 2 && abs(events.first?.lastAt.timeIntervalSince(now) ?? 1) < 0.01, "repeats fold into one, with a count")
        try await store.commit(event(.drift, "old", at: now.addingTimeInterval(-EventRetention.age - 3600)), now: now)
        #expect(try await store.events().contains { $0.reason == .drift } == false, "events past the retention age are removed")
        #expect(try await store.events(since: now.addingTimeInterval(-1)).map(\.reason) == [.apiError, .nameConflict])
        // Retention follows the clock the writer passes, not the machine's: a week later, today's events go.
        let weekLater = now.addingTimeInterval(EventRetention.age + 1)
        try await store.commit(event(.created, "a week later", at: weekLater), now: weekLater)
        #expect(try await store.events().map(\.message) == ["a week later"])
    }
}

/// The single-writer lease of the store contract, for every engine: one holder at a time, fencing
/// tokens that only grow, expiry, release, and no double grant under contention.
@Suite("Store contract: the lease")
struct LeaseContractTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: StoreEngine.allCases)
    func oneHolderAtATimeWithGrowingTokens(_ engine: StoreEngine) async throws {
        let (store, other, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        let first = try #require(try await store.acquireLease(holder: "a", duration: 15, now: Self.now))
        #expect(try await other.acquireLease(holder: "b", duration: 15, now: Self.now.addingTimeInterval(5)) == nil, "held")
        let renewed = try #require(try await store.acquireLease(holder: "a", duration: 15, now: Self.now.addingTimeInterval(10)))
        #expect(renewed.token == first.token && renewed.expiresAt > first.expiresAt, "a renewal keeps the token")
        #expect(try await other.leaseHolder(now: Self.now.addingTimeInterval(20))?.holder == "a")
        let takeover = try #require(try await other.acquireLease(holder: "b", duration: 15, now: Self.now.addingTimeInterval(26)))
        #expect(takeover.token > first.token, "a new holder gets a larger token")
        #expect(try await store.leaseIsCurrent(holder: "a", token: first.token, now: Self.now.addingTimeInterval(26)) == false, "the old holder is fenced")
        #expect(try await store.leaseIsCurrent(holder: "b", token: takeover.token, now: Self.now.addingTimeInterval(27)))
        try await other.releaseLease(holder: "b", token: takeover.token)
        let back = try #require(try await store.acquireLease(holder: "a", duration: 15, now: Self.now.addingTimeInterval(28)), "a release frees it at once")
        #expect(back.token > takeover.token)
        try await store.releaseLease(holder: "b", token: takeover.token)
        #expect(try await store.leaseHolder(now: Self.now.addingTimeInterval(29))?.holder == "a", "only the holder can release")
    }

    /// A controller's writes carry its grant: once another holder took the lease over (or it expired),
    /// the store refuses them in the same transaction, and nothing of them is written.
    @Test(arguments: StoreEngine.allCases)
    func fencedWritesAreRefusedOnceTheLeaseMovesOn(_ engine: StoreEngine) async throws {
        let (store, other, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        let grant = try #require(try await store.acquireLease(holder: "a", duration: 15, now: Self.now))
        var changes = ReconcilerChanges()
        changes.events = [FleetEvent(kind: .sandbox, name: "api", type: .normal, reason: .created, message: "by a", at: Self.now)]
        let intent = CreateIntent(actualName: "api-g1", kind: "sandbox", logicalName: "api", generation: 1, createdAt: Self.now)
        try await store.recordIntents([intent], fence: LeaseFence(holder: "a", token: grant.token, now: Self.now.addingTimeInterval(1)))
        try await store.commit(changes, now: Self.now, fence: LeaseFence(holder: "a", token: grant.token, now: Self.now.addingTimeInterval(1)))
        let revision = try await other.reconcilerRevision()

        let late = LeaseFence(holder: "a", token: grant.token, now: Self.now.addingTimeInterval(16))
        await #expect(throws: FleetStoreError.fencedOut(holder: "a", token: grant.token), "an expired grant writes nothing") {
            try await store.commit(changes, now: Self.now, fence: late)
        }
        _ = try #require(try await other.acquireLease(holder: "b", duration: 15, now: Self.now.addingTimeInterval(16)))
        let stale = LeaseFence(holder: "a", token: grant.token, now: Self.now.addingTimeInterval(17))
        await #expect(throws: FleetStoreError.fencedOut(holder: "a", token: grant.token)) {
            try await store.recordIntents([CreateIntent(actualName: "api-g2", kind: "sandbox", logicalName: "api", generation: 2, createdAt: Self.now)], fence: stale)
        }
        await #expect(throws: FleetStoreError.fencedOut(holder: "a", token: grant.token)) { try await store.commit(changes, now: Self.now, fence: stale) }
        #expect(try await other.reconcilerRevision() == revision, "refused writes change nothing")
        #expect(try await other.reconcilerState().intents.map(\.actualName) == ["api-g1"])
        #expect(try await other.events().count == 1)
    }

    /// Two handles race for an expired lease, round after round: never both get it, and the tokens of
    /// the winners only grow.
    @Test(arguments: StoreEngine.allCases)
    func contendersNeverBothWin(_ engine: StoreEngine) async throws {
        let (first, second, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        var tokens: [Int64] = []
        for round in 0..<40 {
            let at = Self.now.addingTimeInterval(Double(round) * 100)
            let grants = try await withThrowingTaskGroup(of: LeaseGrant?.self, returning: [LeaseGrant].self) { group in
                group.addTask { try await first.acquireLease(holder: "a-\(round)", duration: 10, now: at) }
                group.addTask { try await second.acquireLease(holder: "b-\(round)", duration: 10, now: at) }
                return try await group.reduce(into: []) { if let grant = $1 { $0.append(grant) } }
            }
            #expect(grants.count == 1, "round \(round): \(grants.map(\.holder))")
            tokens += grants.map(\.token)
        }
        #expect(tokens == tokens.sorted() && Set(tokens).count == tokens.count)
    }
}
