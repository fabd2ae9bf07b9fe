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

    /// Merges history and the plan's statuses into the stored statuses, recording only what changed,
    /// and drops the statuses of logical sandboxes no longer desired with nothing live.
    mutating func finalizeStatuses(now: Date, failedLogicalNames: Set<String>) {
        for value in plan.statuses {
            let history = history[value.logicalName] ?? LogicalHistory()
            let old = state.statuses[value.logicalName]
            var health = value.health
            var message = value.message
            if failedLogicalNames.contains(value.logicalName), health != "Backoff" {
                health = "Degraded"
                message = "an API call failed; see 'porter-fleet events'"
            }
            var status = LogicalSandboxStatus(
                logicalName: value.logicalName, owner: value.owner, lastGeneration: history.lastGeneration,
                failureCount: history.failureCount, backoffUntil: history.backoffUntil, sync: value.sync, health: health,
                phase: value.phase, generation: value.generation, actualID: value.actualID, actualName: value.actualName, message: message,
                lastTransitionAt: old?.lastTransitionAt ?? now)
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

    /// Records an event.
    mutating func event(_ kind: String, _ name: String, _ type: String = "Normal", _ reason: String, _ message: String) {
        changes.events.append(FleetEvent(kind: kind, name: name, type: type, reason: reason, message: message, at: now))
    }
}
