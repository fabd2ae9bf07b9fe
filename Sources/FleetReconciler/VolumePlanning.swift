import FleetModel
import FleetStore
import Foundation

/// The volume rules of a plan (docs/reconcile-rules.md, "Volumes"): desired volumes are created before
/// the sandboxes that mount them, or recognised as ours (recorded, retained earlier, found under the
/// fleet's scoped name, or adopted with `adopt: true`; a plain name with an unanswered create is never
/// taken as ours by the name alone); volumes no longer desired are deleted (`deletion_policy:
/// delete`, created by porter-fleet, nothing attached) or retained and remembered, so that declaring one
/// again uses it again. A volume porter-fleet did not create is never deleted.
struct VolumePlanning {
    let input: PlannerInput
    let byName: [String: ObservedVolume]
    let byID: [String: ObservedVolume]

    init(input: PlannerInput) {
        self.input = input
        byName = Dictionary(input.volumes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        byID = Dictionary(input.volumes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Plans every volume; returns the ids of desired volumes that exist, by logical name.
    func plan(into plan: inout Plan) -> [String: String] {
        var ids: [String: String] = [:]
        for volume in input.desired.volumes {
            ids[volume.logicalName] = planDesired(volume, into: &plan)
        }
        let desiredNames = Set(input.desired.volumes.map(\.logicalName))
        for owned in input.ownedVolumes.values.sorted(by: { $0.logicalName < $1.logicalName }) where !desiredNames.contains(owned.logicalName) {
            planUndesired(owned, into: &plan)
        }
        return ids
    }

    /// A desired volume: its id when it exists and is ours (or becomes ours in this pass), else nil.
    private func planDesired(_ volume: DesiredVolume, into plan: inout Plan) -> String? {
        let logical = volume.logicalName
        let actual = input.desired.actualVolumeName(volume)
        let owned = input.ownedVolumes[logical]
        if let owned, byID[owned.volumeID] != nil {
            if owned.retainedAt != nil {
                plan.actions.append(.adoptVolume(logicalName: logical, volumeID: owned.volumeID, actualName: owned.actualName, adopted: owned.adopted))
            }
            return owned.volumeID
        }
        guard let existing = byName[actual] else {
            if let other = input.liveInOtherFleets.values.compactMap(\.fleet).sorted().first {
                // The fleet looks like a lost store applied under a new id: its volumes (and their data)
                // belong to the other fleet; new empty ones are not made beside them.
                let message = "fleet \(other) runs this fleet's sandboxes; no volume is created. "
                    + "If this store replaces that fleet's lost store, claim its id: porter-fleet apply --fleet \(other) -f …"
                plan.events.append(PlannedEvent(kind: .volume, name: logical, type: .warning, reason: .otherFleetLive, message: message))
                plan.held.append("Volume/\(logical): \(message)")
                return nil
            }
            plan.actions.append(.createVolume(logicalName: logical, actualName: actual))
            return nil
        }
        if input.desired.volumeNaming == .scoped && volume.spec.adopt != true {
            // The fleet's scope in the name is the evidence: an unanswered create of ours, or a volume
            // this fleet made under a store since lost and recovered with the same fleet id.
            plan.actions.append(.adoptVolume(logicalName: logical, volumeID: existing.id, actualName: actual, adopted: false))
            return existing.id
        }
        if volume.spec.adopt == true {
            plan.actions.append(.adoptVolume(logicalName: logical, volumeID: existing.id, actualName: actual, adopted: true))
            return existing.id
        }
        let message =
            input.volumeIntents.contains(actual)
            ? "a volume named \(actual) exists, but this fleet's create of it never got an answer and the name carries no fleet scope: it may be another fleet's. If it is this fleet's, set adopt: true (it is then kept, never deleted)"
            : "a volume named \(actual) exists that porter-fleet did not create; set adopt: true to use it"
        let reason: EventReason = input.volumeIntents.contains(actual) ? .volumeOwnershipUnknown : .volumeNameTaken
        plan.events.append(PlannedEvent(kind: .volume, name: logical, type: .warning, reason: reason, message: message))
        plan.held.append("Volume/\(logical): \(message)")
        return nil
    }

    /// An owned volume no longer desired: forgotten when the API's list shows it gone, left alone once
    /// retained (remembered whatever else is declared), else deleted or retained by its policy (an
    /// adopted volume is always retained).
    private func planUndesired(_ owned: OwnedVolume, into plan: inout Plan) {
        guard let observed = byID[owned.volumeID] else {
            if input.volumesListed {
                plan.actions.append(.forgetVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
            }
            return
        }
        guard owned.retainedAt == nil else { return }
        let deletes = owned.deletionPolicy == DeletionPolicy.delete.rawValue
        if owned.adopted {
            plan.actions.append(.retainVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
            plan.events.append(
                PlannedEvent(
                    kind: .volume, name: owned.logicalName, type: deletes ? .warning : .normal, reason: .adoptedVolumeKept,
                    message: "volume \(owned.actualName) (\(owned.volumeID)) existed before porter-fleet adopted it: it is kept, never deleted"))
        } else if deletes {
            if observed.attachedTo.isEmpty {
                plan.actions.append(.deleteVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
            }
        } else {
            plan.actions.append(.retainVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
            plan.events.append(
                PlannedEvent(
                    kind: .volume, name: owned.logicalName, reason: .volumeRetained,
                    message: "volume \(owned.actualName) (\(owned.volumeID)) is no longer desired and is kept (deletion_policy: retain); declaring it again uses it again"))
        }
    }
}
