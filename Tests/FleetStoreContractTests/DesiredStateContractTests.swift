import FleetModel
import FleetStore
import Foundation
import Testing

/// The desired-state half of the store contract, for every engine.
@Suite("Store contract: desired state")
struct DesiredStateContractTests {
    @Test(arguments: StoreEngine.allCases)
    func applyReportsAndRevisions(_ engine: StoreEngine) async throws {
        let (store, _, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        #expect(try await store.revision() == 0)
        let first = try await store.apply(try manifests(sandbox("api") + "---\n" + sandbox("worker")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        #expect(first.items.map(\.action) == [.created, .created] && first.revision == 1)
        let same = try await store.apply(try manifests(sandbox("api") + "---\n" + sandbox("worker")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        #expect(same.items.map(\.action) == [.unchanged, .unchanged] && same.revision == 1, "nothing changed, no new revision")
        let pruned = try await store.apply(try manifests(sandbox("api", image: "python:3.13")), sources: ["fleet.yaml"], prune: true, dryRun: false)
        #expect(pruned.items.map(\.action) == [.configured, .pruned] && pruned.revision == 2)
        #expect(try await store.resources().map(\.name) == ["api"])
        let dry = try await store.apply(try manifests(sandbox("new")), sources: ["other.yaml"], prune: false, dryRun: true)
        #expect(dry.dryRun && dry.items.map(\.action) == [.created])
        #expect(try await store.resources().map(\.name) == ["api"], "a dry run writes nothing")
        #expect(try await store.revision() == 2)
    }

    /// A set and a sandbox that expand to one logical name would replace each other's generation on
    /// every pass: refused by apply (in one apply or across two) and by scale, naming both places.
    @Test(arguments: StoreEngine.allCases)
    func twoResourcesNeverDeclareOneLogicalName(_ engine: StoreEngine) async throws {
        let (store, _, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: worker\nspec:\n  replicas: 2\n  template: {image: i}\n"
        let together = try manifests(set + "---\n" + sandbox("worker-1"), source: "fleet.yaml")
        let refused = await #expect(throws: FleetStoreError.self) { try await store.apply(together, sources: ["fleet.yaml"], prune: false, dryRun: false) }
        guard case .invalid(let errors) = refused else {
            Issue.record("expected invalid, got \(String(describing: refused))")
            return
        }
        #expect(errors.map(\.description) == [
            "fleet.yaml:10:7: Sandbox/worker-1 and SandboxSet/worker (at fleet.yaml:3:7) both declare logical sandbox 'worker-1': every pass would replace one's sandbox with the other's; rename one"
        ])
        #expect(try await store.resources().isEmpty)
        #expect(try await store.revision() == 0)
        _ = try await store.apply(try manifests(set, source: "sets.yaml"), sources: ["sets.yaml"], prune: false, dryRun: false)
        await #expect(throws: FleetStoreError.self, "across applies") {
            try await store.apply(try manifests(sandbox("worker-1"), source: "one.yaml"), sources: ["one.yaml"], prune: false, dryRun: false)
        }
        _ = try await store.apply(try manifests(sandbox("worker-2"), source: "one.yaml"), sources: ["one.yaml"], prune: false, dryRun: false)
        await #expect(throws: FleetStoreError.self, "scaling the set onto worker-2") { try await store.scale(set: "worker", replicas: 3) }
        #expect(try await store.scale(set: "worker", replicas: 1).items.map(\.action) == [.configured])
        #expect(try await store.resources().map(\.name).sorted() == ["worker", "worker-2"])
    }

    @Test(arguments: StoreEngine.allCases)
    func applyIsAllOrNothing(_ engine: StoreEngine) async throws {
        let (store, _, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        _ = try await store.apply(try manifests(volume("data") + "---\n" + sandbox("api", mounting: "data")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        let broken = try manifests(sandbox("ok") + "---\n" + sandbox("bad", mounting: "missing"))
        await #expect(throws: FleetStoreError.self) { try await store.apply(broken, sources: ["fleet.yaml"], prune: false, dryRun: false) }
        #expect(try await Set(store.resources().map(\.name)) == ["data", "api"])
        #expect(try await store.revision() == 1, "the valid half was not written either")
        let prunesUsedVolume = try manifests(sandbox("api", mounting: "data"))
        await #expect(throws: FleetStoreError.self, "pruning a volume that is still mounted") {
            try await store.apply(prunesUsedVolume, sources: ["fleet.yaml"], prune: true, dryRun: false)
        }
        #expect(try await store.resources().count == 2)
    }

    @Test(arguments: StoreEngine.allCases)
    func deleteIsAllOrNothingAndDeleteAllAsksToPrune(_ engine: StoreEngine) async throws {
        let (store, _, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        _ = try await store.apply(try manifests(sandbox("a") + "---\n" + sandbox("b")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        await #expect(throws: FleetStoreError.self) { try await store.delete(kind: .sandbox, names: ["a", "ghost"]) }
        #expect(try await store.resources().count == 2)
        #expect(try await store.revision() == 1)
        let deleted = try await store.delete(kind: .sandbox, names: ["a"])
        #expect(deleted.items.map(\.name) == ["a"] && deleted.revision == 2)
        #expect(try await store.pruneAllRequestedRevision() == nil)
        _ = try await store.deleteAll()
        #expect(try await store.resources().isEmpty)
        #expect(try await store.pruneAllRequestedRevision() != nil)
        _ = try await store.apply(try manifests(sandbox("c")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        #expect(try await store.pruneAllRequestedRevision() == nil, "any later apply withdraws the request")
    }

    @Test(arguments: StoreEngine.allCases)
    func scaleAndSettings(_ engine: StoreEngine) async throws {
        let (store, _, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        try await store.setNamePrefix("team-")
        #expect(try await store.settings().namePrefix == "team-")
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: agent\nspec:\n  replicas: 2\n  template:\n    image: i\n    command: [\"sleep\", \"1\"]\n"
        _ = try await store.apply(try manifests(set), sources: ["fleet.yaml"], prune: false, dryRun: false)
        let scaled = try await store.scale(set: "agent", replicas: 5)
        #expect(scaled.items.first?.action == .configured)
        let stored = try #require(try await store.resources(kind: .sandboxSet).first).manifest()
        guard case .sandboxSet(let spec) = stored.spec else {
            Issue.record("a SandboxSet came back as \(stored.kind)")
            return
        }
        #expect(spec.replicas == 5)
        await #expect(throws: FleetStoreError.self) { try await store.scale(set: "ghost", replicas: 1) }
        #expect(try await store.settings().fleetID == FleetID.legacyDefault, "an unclaimed store reads as the legacy id")
        try await store.claim(fleetID: "blue")
        #expect(try await store.settings().fleetID == "blue")
        await #expect(throws: FleetStoreError.self) { try await store.claim(fleetID: "green") }
        #expect(try await store.claim(fleetID: nil) == "blue", "claiming without an id returns the recorded one")
        await #expect(throws: FleetStoreError.self, "the prefix is part of every actual name") { try await store.setNamePrefix("other-") }
        #expect(try await store.integrityCheck() == "ok")
    }

    /// Two handles (as two processes would have) applying at once never lose an update: every change
    /// gets its own revision and every resource is there at the end.
    @Test(arguments: StoreEngine.allCases)
    func concurrentAppliesNeverLoseAnUpdate(_ engine: StoreEngine) async throws {
        let (first, second, cleanup) = try await engine.makeStores()
        defer { cleanup() }
        let stores: [any FleetStore] = [first, second]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                let store = stores[index % 2]
                let text = sandbox("s\(index)")
                group.addTask { _ = try await store.apply(try manifests(text, source: "s\(index).yaml"), sources: ["s\(index).yaml"], prune: false, dryRun: false) }
            }
            try await group.waitForAll()
        }
        #expect(try await first.resources().count == 20)
        #expect(try await second.revision() == 20)
    }
}
