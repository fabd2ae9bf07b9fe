import FleetModel
import FleetStore
import Foundation
import PorterSandbox

/// The working state of one pass: what was observed, the plan, and the changes to record.
struct ReconcilePass: Sendable {
    var desired: DesiredFleet
    var state: ReconcilerState
    var live: [ObservedSandbox]
    var history: [String: LogicalHistory]
    var plan: Plan
    /// What the plan was computed from, to plan sandboxes again once new volumes exist.
    var input: PlannerInput?
    var changes = ReconcilerChanges()
    let now: Date
    /// The store revisions the pass read.
    var revisions = StoreRevisions(desired: 0, pruneAllRequested: nil, reconciler: 0)
    /// The fingerprint of the live listing, when the backend gives one.
    var listing: ListingFingerprint?
    /// The volumes listed, when the pass listed them.
    var volumes: [ObservedVolume]?
    /// Whether the plan is the last settled pass's, reused (``SettledObservation``): nothing to record.
    var reusedPlan = false
    /// Owners of logical sandboxes by name (see ``owner(of:)``).
    var owners: [String: String]?
    /// What of the pass's results is committed and logged.
    var progress = PassProgress()
    /// A garbage collection: only clean-up actions run, whatever is planned again during the pass.
    var cleanupOnly = false

    /// Merges history and the plan's statuses into the stored statuses, recording only what changed,
    /// and drops the statuses of logical sandboxes no longer desired with nothing live.
    mutating func finalizeStatuses(now: Date, failedLogicalNames: Set<String>) {
        for planned in plan.statuses {
            let history = history[planned.logicalName] ?? LogicalHistory()
            let old = state.statuses[planned.logicalName]
            var status = planned
            status.lastGeneration = history.lastGeneration
            status.failureCount = history.failureCount
            status.failingSpecHash = history.failureCount > 0 ? history.failingSpecHash : nil
            status.backoffUntil = history.backoffUntil
            status.lastTransitionAt = old?.lastTransitionAt ?? now
            if failedLogicalNames.contains(planned.logicalName), status.health != .backoff {
                status.health = .degraded
                status.message = "an API call failed; see 'porter-fleet events'"
            }
            if let old, old.sync != status.sync || old.health != status.health { status.lastTransitionAt = now }
            if old == nil { status.lastTransitionAt = now }
            if status != old { changes.statuses.append(status) }
        }
        let desiredNames = Set(plan.statuses.map(\.logicalName))
        let liveNames = Set(live.compactMap(\.logicalName))
        for name in state.statuses.keys.sorted() where !desiredNames.contains(name) && !liveNames.contains(name) {
            changes.removedStatuses.append(name)
        }
        for event in plan.events {
            changes.events.append(FleetEvent(kind: event.kind, name: event.name, type: event.type, reason: event.reason, message: event.message, at: now))
        }
    }

    /// Records what `record`'s spec hash was created from (``SpecDocument``), once a pass and hash.
    mutating func recordSpec(of record: ActualSandboxRecord) {
        guard !record.specHash.isEmpty, !changes.specs.contains(where: { $0.specHash == record.specHash }),
            let sandbox = desired.sandboxes.first(where: { $0.logicalName == record.logicalName }), let document = SpecDocument.of(sandbox)
        else { return }
        changes.specs.append(RecordedSpec(specHash: record.specHash, document: document, recordedAt: now))
    }

    /// Records an event at `time`: when the thing happened, where the API says (a sandbox's start or
    /// end), else when this pass saw it.
    mutating func event(
        _ kind: EventSubject, _ name: String, _ type: EventType = .normal, _ reason: EventReason, _ message: String, at time: Date? = nil
    ) {
        let object = kind == .sandbox ? EventObjects.sandboxObject(name, owner: owner(of: name)) : nil
        changes.events.append(FleetEvent(kind: kind, name: name, type: type, reason: reason, message: message, at: min(time ?? now, now), object: object))
    }

    /// The owner of a logical sandbox: as desired, else as last recorded (an orphan's set), built on the
    /// pass's first sandbox event.
    private mutating func owner(of name: String) -> String? {
        if owners == nil {
            var owners = [String: String](minimumCapacity: state.statuses.count + desired.sandboxes.count)
            for (logical, status) in state.statuses { owners[logical] = status.owner }
            for sandbox in desired.sandboxes { owners[sandbox.logicalName] = sandbox.owner }
            self.owners = owners
        }
        return owners?[name]
    }
}
