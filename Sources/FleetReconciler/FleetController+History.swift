import FleetModel
import FleetStore
import Foundation
import PorterSandbox

extension FleetController {
    /// Up to this many unknown logical sandboxes are looked up one by one (a listing filtered by their
    /// name tag); beyond it, one listing of the fleet's ended sandboxes serves them all.
    static let historyLookupsByName = 20

    /// Logical sandboxes the store knows nothing of and that have nothing live (a store rebuilt from
    /// `export` after a lost disk, or names newly declared) get their past generations from the API's
    /// ended sandboxes with this fleet's tags, before anything is created: a completed job is not run
    /// again, and generation numbers continue. The newest ended generation is recorded, so the store
    /// remembers it from then on and the API is asked once.
    func recoverHistoryFromTheAPI(_ pass: inout ReconcilePass) async throws {
        let unknown = unknownLogicalNames(pass)
        guard !unknown.isEmpty else { return }
        let fleet = pass.desired.fleetID
        var ended: [ObservedSandbox] = []
        if unknown.count <= Self.historyLookupsByName {
            for name in unknown.sorted() {
                ended += try await call { try await backend.endedSandboxes(tags: [OwnershipTags.fleet: fleet, OwnershipTags.name: name]) }
            }
        } else {
            ended = try await call { try await backend.endedSandboxes(tags: [OwnershipTags.fleet: fleet]) }
        }
        let newest = Dictionary(grouping: ended.filter { $0.isOwned(by: fleet) && unknown.contains($0.logicalName ?? "") }) { $0.logicalName ?? "" }
            .compactMapValues { generations in generations.max { ($0.generation ?? 0) < ($1.generation ?? 0) } }
        for (logicalName, sandbox) in newest {
            remember(sandbox, of: logicalName, in: &pass)
        }
    }

    /// Live sandboxes of other fleets that run a desired logical sandbox this fleet knows nothing of, under
    /// the very names this fleet would create (its name prefix, the logical name, a generation): what a lost
    /// store applied again under a new fleet id finds. Asked only for logical sandboxes with no status, no
    /// record, no intent, nothing live and no history in the API, so a settled fleet never asks.
    func liveInOtherFleets(_ pass: ReconcilePass) async throws -> [String: ObservedSandbox] {
        let unknown = unknownLogicalNames(pass).filter { (pass.history[$0]?.lastGeneration ?? 0) == 0 }
        guard !unknown.isEmpty else { return [:] }
        var live: [ObservedSandbox] = []
        if unknown.count <= Self.historyLookupsByName {
            for name in unknown.sorted() {
                live += try await call { try await backend.liveSandboxes(tags: [OwnershipTags.name: name]) }
            }
        } else {
            live = try await call { try await backend.liveSandboxes(tags: [:]) }
        }
        let fleet = pass.desired.fleetID
        var found: [String: ObservedSandbox] = [:]
        for sandbox in live {
            let stem = pass.desired.namePrefix + (sandbox.logicalName ?? "") + "-g"
            guard let other = sandbox.fleet, other != fleet, let logical = sandbox.logicalName, unknown.contains(logical),
                sandbox.name.hasPrefix(stem), let generation = Int(sandbox.name.dropFirst(stem.count)), generation > 0
            else { continue }
            found[logical] = sandbox
        }
        return found
    }

    /// Desired logical sandboxes with no status, no record, no intent and nothing live.
    private func unknownLogicalNames(_ pass: ReconcilePass) -> Set<String> {
        let state = pass.state
        // Never created by this fleet: no status yet, or one still at generation 0 (held for another
        // fleet, or waiting for a volume), and no ended generation on record.
        let unrecorded = pass.desired.sandboxes.lazy.map(\.logicalName).filter {
            (state.statuses[$0]?.lastGeneration ?? 0) == 0 && state.newestEnded[$0] == nil
        }
        // The usual pass: every desired logical sandbox has a status, and nothing more is built.
        guard !unrecorded.isEmpty else { return [] }
        let known = Set(pass.live.compactMap(\.logicalName) + state.intents.map(\.logicalName) + state.trackedSandboxes.map(\.logicalName))
        return Set(unrecorded.filter { !known.contains($0) })
    }

    /// Takes an ended generation found in the API into the history and the store's records.
    private func remember(_ sandbox: ObservedSandbox, of logicalName: String, in pass: inout ReconcilePass) {
        let generation = sandbox.generation ?? 0
        let outcome = LogicalHistory.Outcome(
            generation: generation, phase: sandbox.phase, reason: sandbox.terminationReason, exitCode: sandbox.exitCode, specHash: sandbox.specHash)
        var history = pass.history[logicalName] ?? LogicalHistory()
        history.lastGeneration = max(history.lastGeneration, generation)
        history.lastOutcome = outcome
        pass.history[logicalName] = history
        pass.changes.sandboxes.append(
            ActualSandboxRecord(
                id: sandbox.id, name: sandbox.name, logicalName: logicalName, generation: generation, specHash: sandbox.specHash ?? "",
                phase: sandbox.phase.rawValue, exitCode: sandbox.exitCode, terminationReason: sandbox.terminationReason?.rawValue,
                createdAt: sandbox.createdAt, startedAt: sandbox.startedAt, finishedAt: sandbox.finishedAt ?? pass.now, tracked: false))
        pass.event(.sandbox, logicalName, .normal, .historyRecovered,
            "the store had no record of \(logicalName); generation \(generation) (\(sandbox.name)) found in the API, \(sandbox.phase.rawValue)")
    }
}
