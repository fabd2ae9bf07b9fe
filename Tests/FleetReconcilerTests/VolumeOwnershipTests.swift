import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import PorterSandbox
import Synchronization
import Testing

/// Whose a volume is: volumes carry no tags, so only a create's answer or a fleet-scoped name makes one
/// ours, never a name another fleet could have produced (docs/reconcile-rules.md, "Volumes").
@Suite("Volume ownership")
struct VolumeOwnershipTests {
    static let volume = "apiVersion: porter-fleet/v1\nkind: Volume\nname: race-vol\nspec:\n  deletion_policy: delete\n"

    static func store(fleet: String, naming: VolumeNaming? = nil) throws -> InMemoryFleetStore {
        let store = InMemoryFleetStore()
        try store.claim(fleetID: fleet)
        if let naming { try store.setVolumeNaming(naming) }
        return store
    }

    static func apply(_ text: String, to store: InMemoryFleetStore) throws {
        let manifests = try ManifestText.parsed(text)
        _ = try store.apply(manifests, sources: ["fleet.yaml"], prune: true, dryRun: false)
    }

    /// The race as it was seen: the first fleet's creates fail (nothing made, its intent stays
    /// unsettled), a second fleet creates the name, and the first fleet's delete must not reach it.
    @Test(arguments: [VolumeNaming.plain, .scoped])
    func aFailedCreateNeverTakesAnotherFleetsVolume(naming: VolumeNaming) async throws {
        let failing = Mutex(true)
        let backend = FakeSandboxBackend(faults: { call in
            call == .createVolume && failing.withLock { $0 } ? .fail(.server) : nil
        })
        let first = try Self.store(fleet: "fleet-one", naming: naming)
        let second = try Self.store(fleet: "fleet-two", naming: naming)
        try Self.apply(Self.volume, to: first)
        try Self.apply(Self.volume, to: second)
        let firstController = FleetController(store: first, backend: backend)
        let failed = try await firstController.reconcileOnce()
        #expect(failed.failed.map(\.kind) == [.createVolume] && backend.calls(.createVolume) == 1)

        failing.withLock { $0 = false }
        _ = try await FleetController(store: second, backend: backend).reconcileOnce()
        let secondsVolume = try #require(try await backend.volumes().first)
        _ = try await firstController.reconcileOnce()
        _ = try await firstController.reconcileOnce()
        #expect(try first.reconcilerState().ownedVolumes.values.allSatisfy { $0.volumeID != secondsVolume.id },
            "the first fleet never records the second fleet's volume as its own")

        _ = try first.delete(kind: .volume, names: ["race-vol"])
        for _ in 0..<2 { _ = try await firstController.reconcileOnce() }
        #expect(try await backend.volumes().contains { $0.id == secondsVolume.id }, "the second fleet's volume survives the first fleet's delete")
        #expect(backend.calls(.deleteVolume) == (naming == .scoped ? 1 : 0), "with scoped names the first fleet deletes only its own volume")
        if naming == .plain {
            let events = try await first.events(since: nil).map(\.reason)
            #expect(events.contains(.volumeOwnershipUnknown), "the hold is explained: \(events)")
        }
    }

    /// A lost store applied again with the old fleet id derives the same scoped names and takes its
    /// volumes back (and so deletes them by their policy), where a new fleet id leaves them alone.
    @Test func aStoreRecoveredWithItsFleetIdFindsItsVolumes() async throws {
        let backend = FakeSandboxBackend()
        let lost = try Self.store(fleet: "fleet-old")
        try Self.apply(Self.volume, to: lost)
        _ = try await FleetController(store: lost, backend: backend).reconcileOnce()
        let original = try #require(try await backend.volumes().first)

        let stranger = try Self.store(fleet: "fleet-new")
        try Self.apply(Self.volume, to: stranger)
        _ = try await FleetController(store: stranger, backend: backend).reconcileOnce()
        #expect(try stranger.reconcilerState().ownedVolumes["race-vol"]?.volumeID != original.id)

        let recovered = try Self.store(fleet: "fleet-old")
        try Self.apply(Self.volume, to: recovered)
        _ = try await FleetController(store: recovered, backend: backend).reconcileOnce()
        #expect(try recovered.reconcilerState().ownedVolumes["race-vol"]?.volumeID == original.id)
        #expect(try await backend.volumes().count == 2, "nothing created for the recovered fleet")
    }

    /// A store lost and applied again without its fleet id finds the old fleet's sandboxes live: it
    /// creates neither sandboxes nor empty volumes beside the old fleet's, and names the way back.
    @Test func aLostStoreAppliedUnderANewIdCreatesNoEmptyVolumes() async throws {
        let backend = FakeSandboxBackend()
        let fleet = Self.volume + "---\n" + ManifestText.sandbox("api", mounting: "race-vol")
        let lost = try Self.store(fleet: "fleet-old")
        try Self.apply(fleet, to: lost)
        for _ in 0..<2 { _ = try await FleetController(store: lost, backend: backend).reconcileOnce() }
        #expect(try await backend.volumes().count == 1 && backend.allSandboxes.count == 1)

        let again = try Self.store(fleet: "fleet-new")
        try Self.apply(fleet, to: again)
        let result = try await FleetController(store: again, backend: backend).reconcileOnce()
        #expect(try await backend.volumes().count == 1 && backend.allSandboxes.count == 1, "nothing created beside the old fleet")
        #expect(result.plan.held.contains { $0.hasPrefix("Volume/race-vol: fleet fleet-old runs") && $0.contains("--fleet fleet-old") })
    }

    /// New stores name volumes scoped; naming changes only while nothing is desired or owned.
    @Test func newStoresAreScopedAndTheNamingIsLockedOnceUsed() async throws {
        let store = try Self.store(fleet: "fleet-lock")
        #expect(try store.settings().volumeNaming == .scoped)
        #expect(try store.settings().volumeNamePrefix == VolumeNaming.scope(fleetID: "fleet-lock"))
        try Self.apply(Self.volume, to: store)
        #expect(throws: FleetStoreError.volumeNamingLocked) { try store.setVolumeNaming(.plain) }
    }
}
