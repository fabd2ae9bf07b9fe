import FleetReconciler
import FleetTestSupport
import Foundation
import PorterSandbox
import Synchronization

/// One fleet's way to the shared fake API: every terminate must target a sandbox of that fleet (its fleet
/// id, a logical name and a generation), and every volume delete a volume that fleet created; anything
/// else is recorded as a violation at the moment of the call. Volumes that appear during the fleet's
/// creates are noted in the ``VolumeLedger``, so the check holds whichever store of the fleet id asks.
final class OwnershipCheckedBackend: SandboxBackend {
    let base: any SandboxBackend
    let api: FakeSandboxBackend
    let fleet: String
    let ledger: VolumeLedger
    let violations = Mutex<[String]>([])

    init(_ base: any SandboxBackend, api: FakeSandboxBackend, fleet: String, ledger: VolumeLedger) {
        self.base = base
        self.api = api
        self.fleet = fleet
        self.ledger = ledger
    }

    /// The violations recorded since the last call, cleared.
    func drainViolations() -> [String] { violations.withLock { found in defer { found.removeAll() }; return found } }

    private func violation(_ text: String) { violations.withLock { $0.append(text) } }

    /// Whether `sandbox` is `fleet`'s: its fleet tag, a logical name and a generation (the ownership rule,
    /// restated here so that the check does not lean on the code it checks).
    static func belongs(_ sandbox: ObservedSandbox, to fleet: String) -> Bool {
        sandbox.fleet == fleet && !(sandbox.logicalName ?? "").isEmpty && sandbox.generation != nil
    }

    func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] { try await base.liveSandboxes(tags: tags) }
    func liveListing(tags: [String: String]) async throws -> LiveListing { try await base.liveListing(tags: tags) }
    func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox] { try await base.endedSandboxes(tags: tags) }
    func sandbox(id: String) async throws -> ObservedSandbox? { try await base.sandbox(id: id) }
    func sandbox(named name: String) async throws -> ObservedSandbox? { try await base.sandbox(named: name) }
    func volumes() async throws -> [ObservedVolume] { try await base.volumes() }

    func createSandbox(_ spec: SandboxSpec) async throws -> String {
        let tagged = spec.tags?.additionalProperties[OwnershipTags.fleet]
        if tagged != fleet { violation("fleet \(fleet) created \(spec.name ?? "?") tagged for fleet \(tagged ?? "none")") }
        return try await base.createSandbox(spec)
    }

    func terminateSandbox(id: String) async throws {
        if let target = api.allSandboxes.first(where: { $0.id == id }) {
            if !Self.belongs(target, to: fleet) {
                violation("fleet \(fleet) terminated \(target.name) (\(id)), which is \(target.fleet.map { "fleet \($0)'s" } ?? "untagged")\(target.logicalName == nil ? " and has no logical name" : "")")
            }
        } else {
            violation("fleet \(fleet) terminated \(id), which the API never had")
        }
        try await base.terminateSandbox(id: id)
    }

    func createVolume(name: String) async throws -> ObservedVolume {
        let before = Set(api.allVolumes.keys)
        defer { ledger.record(Set(api.allVolumes.keys).subtracting(before), createdBy: fleet) }
        return try await base.createVolume(name: name)
    }

    func deleteVolume(id: String) async throws {
        let name = api.allVolumes[id]?.name ?? "?"
        let creator = ledger.creator(of: id)
        if creator != fleet {
            violation("fleet \(fleet) deleted volume \(name) (\(id)), which \(creator.map { "fleet \($0) created" } ?? "no fleet created (it was there before)")")
        }
        try await base.deleteVolume(id: id)
    }
}
