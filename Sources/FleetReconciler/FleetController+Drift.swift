import FleetModel
import FleetStore
import Foundation

extension FleetController {
    /// Names the fields behind every replacement of a drifted generation: the document its spec hash was
    /// recorded with (``RecordedSpec``) against the desired one, on the create action and its drift event.
    /// Reads the store only when the plan replaces a generation of another spec hash.
    func describeDrift(_ pass: inout ReconcilePass) async throws {
        let replacements = driftedSpecHashes(pass)
        guard !replacements.isEmpty else { return }
        let recorded = Dictionary(
            try await store.recordedSpecs(hashes: Set(replacements.values).sorted()).map { ($0.specHash, $0.document) }, uniquingKeysWith: { a, _ in a })
        guard !recorded.isEmpty else { return }
        let desired = Dictionary(pass.desired.sandboxes.map { ($0.logicalName, $0) }, uniquingKeysWith: { a, _ in a })
        var diffs: [String: [FieldChange]] = [:]
        for (index, action) in pass.plan.actions.enumerated() {
            guard case .createSandbox(let logical, let generation, let actual, let spec, let hash, .replaceDrifted(let old, _)) = action,
                let oldHash = replacements[logical], let before = recorded[oldHash], let sandbox = desired[logical]
            else { continue }
            let key = "\(oldHash) \(hash) \(sandbox.owner)"
            if diffs[key] == nil { diffs[key] = SpecDocument.of(sandbox).map { FieldDiff.changes(from: before, to: $0, prefix: "") } ?? [] }
            guard let changes = diffs[key], !changes.isEmpty else { continue }
            pass.plan.actions[index] = .createSandbox(
                logicalName: logical, generation: generation, actualName: actual, spec: spec, specHash: hash,
                reason: .replaceDrifted(generation: old, changes: changes))
            for eventIndex in pass.plan.events.indices where pass.plan.events[eventIndex].reason == .drift && pass.plan.events[eventIndex].name == logical {
                pass.plan.events[eventIndex].message = "generation \(old): " + changes.map(\.description).joined(separator: ", ")
            }
        }
    }

    /// The spec hash of the generation each drift replacement replaces, by logical name, where it differs
    /// from the new one (a generation whose visible fields drifted keeps its hash).
    private func driftedSpecHashes(_ pass: ReconcilePass) -> [String: String] {
        var replaced: [String: (generation: Int, newHash: String)] = [:]
        for action in pass.plan.actions {
            if case .createSandbox(let logical, _, _, _, let hash, .replaceDrifted(let old, _)) = action { replaced[logical] = (old, hash) }
        }
        guard !replaced.isEmpty else { return [:] }
        var hashes: [String: String] = [:]
        for sandbox in pass.live {
            guard let logical = sandbox.logicalName, let replacement = replaced[logical], sandbox.generation == replacement.generation,
                let oldHash = sandbox.specHash, oldHash != replacement.newHash
            else { continue }
            hashes[logical] = oldHash
        }
        return hashes
    }
}
