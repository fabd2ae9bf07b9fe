import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import PorterSandbox

/// The invariants, checked after every step.
extension FleetStateMachine {
    func checkInvariants() async throws {
        let all = api.allSandboxes
        crashLoops.judgeNewEndings(in: all)
        for violation in jobs.violations(in: all) { fail(violation) }
        checkNothingForeignTouched(all)
        for fleet in fleets { try await checkGenerations(of: fleet, in: all) }
        if step % integrityEvery == 0 {
            for fleet in fleets {
                let integrity = try await fleet.store.integrityCheck()
                if integrity != "ok" { fail("\(fleet.title): integrity_check: \(integrity)") }
            }
        }
    }

    /// Nothing of another fleet touched: every terminate and volume delete was of the caller's own fleet
    /// (checked at the call by ``OwnershipCheckedBackend``), and every mutating call of fleet A was made by
    /// the lease holder (``FencedBackend``); sandboxes no fleet owns keep their phase unless the API
    /// itself ended them; the adopted volume is never deleted.
    func checkNothingForeignTouched(_ all: [ObservedSandbox]) {
        for fleet in fleets {
            for violation in fleet.drainCallViolations() { fail(violation) }
        }
        for sandbox in all {
            if let phase = bystanders[sandbox.id], sandbox.phase != phase {
                fail("\(sandbox.name) is no fleet's and went from \(phase.rawValue) to \(sandbox.phase.rawValue)")
                bystanders[sandbox.id] = sandbox.phase
            }
        }
        if api.allVolumes[adoptedVolumeID] == nil, !violations.contains(where: { $0.contains("the adopted volume") }) {
            fail("the adopted volume \(RandomManifests.legacyVolume) (\(adoptedVolumeID)) was deleted")
        }
    }

    /// A store records a volume as created by porter-fleet (not adopted) only when its fleet id created it:
    /// a volume of another fleet taken as ours would be deleted by its deletion policy.
    func checkOwnedVolumeRecords(of fleet: MachineFleet, in state: ReconcilerState) {
        for owned in state.ownedVolumes.values.sorted(by: { $0.logicalName < $1.logicalName }) where !owned.adopted {
            let creator = volumeLedger.creator(of: owned.volumeID)
            if creator != fleet.fleetID {
                fail(
                    "\(fleet.title) records volume \(owned.actualName) (\(owned.volumeID)) as created by porter-fleet for Volume/\(owned.logicalName), "
                        + "but \(creator.map { "fleet \($0) created it" } ?? "no fleet created it")")
            }
        }
    }

    /// No generation number used twice; at most two live generations of a logical sandbox; and no pass
    /// raises the number of desired logical sandboxes being replaced (live generations of two specs) above
    /// the surge limit.
    func checkGenerations(of fleet: MachineFleet, in all: [ObservedSandbox]) async throws {
        let owned = all.filter { OwnershipCheckedBackend.belongs($0, to: fleet.fleetID) }
        var seen: Set<String> = []
        for sandbox in owned where !seen.insert("\(sandbox.logicalName ?? "")#\(sandbox.generation ?? 0)").inserted {
            fail("\(fleet.title): generation \(sandbox.generation ?? 0) of \(sandbox.logicalName ?? "") was used twice")
        }
        let desired = try await desiredLogicalNames(of: fleet)
        let live = Dictionary(grouping: owned.filter { !$0.phase.isTerminal }) { $0.logicalName ?? "" }
        for (name, generations) in live where generations.count > 2 { fail("\(fleet.title): \(name) has \(generations.count) live generations") }
        // A replacement in flight: live generations of two specs. Two of one spec are a TTL rotation, which
        // max_surge does not hold (the TTL forces it either way).
        let doubled = live.filter { desired.contains($0.key) && Set($0.value.map { $0.specHash ?? "" }).count > 1 }.count
        let limit = max(1, desired.count / 4)
        // Only a pass creates; edits of the desired state can make names with two live generations desired again.
        if passedThisStep === fleet, doubled > max(limit, doubledBefore[fleet.label] ?? 0) {
            let detail = live.filter { $0.value.count > 1 }.map { "\($0.key): \($0.value.map { "\($0.name)/\($0.specHash ?? "-")" })" }.sorted()
            fail("\(fleet.title): \(doubled) replacements in flight, above the surge limit \(limit) (was \(doubledBefore[fleet.label] ?? 0)): \(detail)")
        }
        doubledBefore[fleet.label] = doubled
    }

    /// What `status` answers now (a plan by a controller that remembers nothing, faults held off), checked
    /// against the plan it comes from: in sync exactly when the plan has no action, holds nothing back and
    /// every desired sandbox is synced and healthy or completed. ``pass(_:writer:collectingGarbage:givesLeaseUp:options:)``
    /// checks that passes agree with it.
    func statusAnswer(of fleet: MachineFleet) async -> Plan? {
        guard let answer = try? await faults.muted({ try await fleet.statusAnswer() }) else {
            fail("\(fleet.title): status could not plan with faults off")
            return nil
        }
        let settled = answer.statuses.allSatisfy { $0.sync == .synced && ($0.health == .healthy || $0.health == .completed) }
        let expected = answer.actions.isEmpty && answer.held.isEmpty && settled
        if answer.isInSync != expected {
            fail(
                "\(fleet.title): status answers in sync \(answer.isInSync), but plan has \(answer.actions.count) action(s), \(answer.held.count) held, "
                    + "every sandbox settled \(settled): \(answer.actions.map(\.summary) + answer.waitingOn)")
        }
        return answer
    }

    /// The desired logical sandboxes of `fleet`, read again when its store or desired-state revision changed.
    private func desiredLogicalNames(of fleet: MachineFleet) async throws -> Set<String> {
        let revision = try await fleet.store.revision()
        if let cached = desiredNames[fleet.label], cached.store === fleet.store, cached.revision == revision { return cached.names }
        let store = fleet.store
        let names = Set(try DesiredFleet(resources: await store.resources(kind: nil), settings: await store.settings(), pruneAllRequested: false).sandboxes.map(\.logicalName))
        desiredNames[fleet.label] = (store, revision, names)
        return names
    }

    /// Records a violation, once: a wrong record found again at the next step is the same violation.
    func fail(_ message: String) {
        guard reportedViolations.insert(message).inserted else { return }
        violations.append("seed \(seed) step \(step): \(message)")
        trace.amend("VIOLATION: \(message)")
    }
}
