import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import PorterSandbox
import Synchronization
import Testing

/// A pass records what its actions did while it runs, so one cut short leaves them on record.
@Suite("Interrupted passes")
struct InterruptedPassTests {
    /// The fake API, with every create after the first `open` held until the gate opens (or the call is
    /// cancelled).
    final class GatedBackend: SandboxBackend {
        let base = FakeSandboxBackend()
        let open: Int
        let gateOpen = Mutex(false)
        let started = Mutex(0)

        init(open: Int) { self.open = open }

        func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] { try await base.liveSandboxes(tags: tags) }
        func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] { try await base.endedSandboxes(tags: tags) }
        func sandbox(id: String) async throws -> ObservedSandbox? { try await base.sandbox(id: id) }
        func sandbox(named name: String) async throws -> ObservedSandbox? { try await base.sandbox(named: name) }
        func volumes() async throws -> [ObservedVolume] { try await base.volumes() }
        func terminateSandbox(id: String) async throws { try await base.terminateSandbox(id: id) }
        func createVolume(name: String) async throws -> ObservedVolume { try await base.createVolume(name: name) }
        func deleteVolume(id: String) async throws { try await base.deleteVolume(id: id) }

        func createSandbox(_ spec: SandboxSpec) async throws -> String {
            let number = started.withLock { count in
                count += 1
                return count
            }
            while number > open && !gateOpen.withLock({ $0 }) {
                try await Task.sleep(for: .milliseconds(10))
            }
            return try await base.createSandbox(spec)
        }
    }

    static func store(replicas: Int) throws -> InMemoryFleetStore {
        let store = InMemoryFleetStore()
        try store.claim(fleetID: "fleet-interrupted")
        let text = ManifestText.set("agent", replicas: replicas)
        _ = try store.apply(try ManifestText.parsed(text), sources: ["fleet.yaml"], prune: true, dryRun: false)
        return store
    }

    static func created(_ store: InMemoryFleetStore) async throws -> Int {
        try await store.events(since: nil).filter { $0.reason == .created }.count
    }

    /// While the pass still waits on held creates, the ones that answered are already in the store, each
    /// with its `Created` event.
    @Test func createsAreOnRecordBeforeThePassEnds() async throws {
        let store = try Self.store(replicas: 12)
        let backend = GatedBackend(open: 5)
        let controller = FleetController(store: store, backend: backend)
        let pass = Task { try await controller.reconcileOnce() }
        let deadline = ContinuousClock.now + .seconds(60)
        while try await Self.created(store) < 5, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await Self.created(store) == 5, "the five answered creates are recorded while the pass runs")
        #expect(try store.reconcilerState().trackedSandboxes.count == 5)
        backend.gateOpen.withLock { $0 = true }
        let result = try await pass.value
        #expect(result.succeeded.count == 12 && result.wroteStore)
        #expect(try await Self.created(store) == 12 && backend.base.allSandboxes.count == 12)
    }

    /// A pass cancelled mid-way (the controller stopping) sends nothing more, and every sandbox it made
    /// is recorded with its event.
    @Test func aCancelledPassSendsNoMoreAndRecordsWhatItDid() async throws {
        let store = try Self.store(replicas: 40)
        let backend = GatedBackend(open: 6)
        var options = ControllerOptions()
        options.flow.ceiling = 8
        let controller = FleetController(store: store, backend: backend, options: options)
        let pass = Task { try await controller.reconcileOnce() }
        // Six answer; their places are taken by six more, held with the other two.
        let deadline = ContinuousClock.now + .seconds(60)
        while backend.base.allSandboxes.count < 6 || backend.started.withLock({ $0 }) < 14, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let sentBeforeCancel = backend.started.withLock { $0 }
        pass.cancel()
        _ = try? await pass.value
        let made = backend.base.allSandboxes.count
        #expect(made == 6, "nothing past the held creates reached the API")
        #expect(sentBeforeCancel == 14, "six answered and six more took their places beside the two held")
        #expect(backend.started.withLock { $0 } == sentBeforeCancel, "nothing was sent after the cancel")
        #expect(try await Self.created(store) == made)
        #expect(try store.reconcilerState().trackedSandboxes.count == made)
    }
}
