import FleetReconciler
import FleetStore
import Foundation
import PorterSandbox
import Synchronization

/// One writer's way to the shared fake API: every mutating call first checks, at that instant, that this
/// writer holds the fleet lease, and records a violation when it does not. This is the one-writer
/// invariant observed from outside the controller.
final class FencedBackend: SandboxBackend {
    let base: any SandboxBackend
    let store: any FleetStore
    let holder: String
    let now: @Sendable () -> Date
    let violations: Mutex<[String]>

    init(_ base: any SandboxBackend, store: any FleetStore, holder: String, now: @escaping @Sendable () -> Date) {
        self.base = base
        self.store = store
        self.holder = holder
        self.now = now
        self.violations = Mutex([])
    }

    private func checkHolder(_ call: String) async {
        let current = try? await store.leaseHolder(now: now())
        if current?.holder != holder {
            violations.withLock { $0.append("\(holder) sent \(call) while the lease was held by \(current?.holder ?? "nobody")") }
        }
    }

    func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] { try await base.liveSandboxes(tags: tags) }
    func liveListing(tags: [String: String]) async throws -> LiveListing { try await base.liveListing(tags: tags) }
    func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] { try await base.endedSandboxes(tags: tags) }
    func sandbox(id: String) async throws -> ObservedSandbox? { try await base.sandbox(id: id) }
    func sandbox(named name: String) async throws -> ObservedSandbox? { try await base.sandbox(named: name) }
    func volumes() async throws -> [ObservedVolume] { try await base.volumes() }

    func createSandbox(_ spec: SandboxSpec) async throws -> String {
        await checkHolder("create \(spec.name ?? "?")")
        return try await base.createSandbox(spec)
    }

    func terminateSandbox(id: String) async throws {
        await checkHolder("terminate \(id)")
        try await base.terminateSandbox(id: id)
    }

    func createVolume(name: String) async throws -> ObservedVolume {
        await checkHolder("create volume \(name)")
        return try await base.createVolume(name: name)
    }

    func deleteVolume(id: String) async throws {
        await checkHolder("delete volume \(id)")
        try await base.deleteVolume(id: id)
    }
}
