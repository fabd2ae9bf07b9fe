import FleetModel
import FleetStore
import Foundation
import PorterSandbox

/// Everything a plan is computed from.
public struct PlannerInput: Sendable {
    /// The desired state.
    public var desired: DesiredFleet
    /// This fleet's live sandboxes (listed by the fleet tag).
    public var live: [ObservedSandbox]
    /// Every volume in the API, when they were listed (see ``volumesListed``).
    public var volumes: [ObservedVolume]
    /// Whether ``volumes`` is the API's list: a pass that declares no volume and owns none waiting for a
    /// decision skips the listing, and an owned volume missing from an unlisted pass is not gone.
    public var volumesListed: Bool
    /// Volumes porter-fleet owns, by logical name.
    public var ownedVolumes: [String: OwnedVolume]
    /// Actual names of volume creates recorded but not settled.
    public var volumeIntents: Set<String>
    /// History by logical name.
    public var history: [String: LogicalHistory]
    /// Sandbox creates recorded whose names do not exist: retried with the same name, by logical name.
    public var retryIntents: [String: CreateIntent]
    /// Now.
    public var now: Date
    /// Replacements in flight at most (nil: 25% of the desired sandboxes, at least 1).
    public var maxSurge: Int?
    /// Live sandboxes of other fleets that carry a desired logical name under this fleet's actual names,
    /// by logical name: this fleet creates nothing for those (see docs/reconcile-rules.md, "Another fleet's
    /// sandboxes under our names").
    public var liveInOtherFleets: [String: ObservedSandbox] = [:]

    /// Creates an input.
    public init(
        desired: DesiredFleet, live: [ObservedSandbox], volumes: [ObservedVolume] = [], ownedVolumes: [String: OwnedVolume] = [:],
        volumeIntents: Set<String> = [], history: [String: LogicalHistory] = [:], retryIntents: [String: CreateIntent] = [:],
        now: Date, maxSurge: Int? = nil, volumesListed: Bool = true
    ) {
        self.desired = desired
        self.live = live
        self.volumes = volumes
        self.volumesListed = volumesListed
        self.ownedVolumes = ownedVolumes
        self.volumeIntents = volumeIntents
        self.history = history
        self.retryIntents = retryIntents
        self.now = now
        self.maxSurge = maxSurge
    }
}

/// The pure reconcile rules of docs/reconcile-rules.md: from desired and observed state to ordered actions.
public enum Planner {
    /// The plan for one pass: volumes first, then each logical sandbox by the rules, then orphans.
    public static func plan(_ input: PlannerInput) -> Plan {
        var plan = Plan()
        plan.statuses.reserveCapacity(input.desired.sandboxes.count)
        let volumeIDs = VolumePlanning(input: input).plan(into: &plan)
        reportIncompleteOwnership(input, into: &plan)
        var sandboxes = SandboxPlanning(input: input, volumeIDs: volumeIDs)
        for sandbox in input.desired.sandboxes { sandboxes.plan(sandbox, into: &plan) }
        planOrphans(input, liveByLogical: sandboxes.liveByLogical, into: &plan)
        return plan
    }

    /// Fields visible on a live sandbox that must match the desired request: image and mounts.
    static func visiblyDrifted(_ observed: ObservedSandbox, from base: SandboxSpec) -> Bool {
        if !observed.image.isEmpty, let image = base.image, observed.image != image { return true }
        let desiredMounts = base.volumeMounts?.additionalProperties ?? [:]
        if !observed.volumeMounts.isEmpty || !desiredMounts.isEmpty, observed.volumeMounts != desiredMounts { return true }
        return false
    }

    /// Live sandboxes of this fleet whose logical name is no longer desired are terminated, unless that
    /// would prune most of the fleet (``PruneGuard``) and nobody asked for it.
    static func planOrphans(_ input: PlannerInput, liveByLogical: [String: [ObservedSandbox]], into plan: inout Plan) {
        let desiredNames = Set(input.desired.sandboxes.map(\.logicalName))
        let orphans = liveByLogical.filter { !desiredNames.contains($0.key) }.flatMap(\.value).sorted { $0.name < $1.name }
        guard !orphans.isEmpty else { return }
        let live = liveByLogical.values.reduce(0) { $0 + $1.count }
        if PruneGuard.holds(terminating: orphans.count, ofLive: live), !input.desired.pruneAllRequested {
            let message =
                "\(orphans.count) of the fleet's \(live) live sandboxes are no longer desired; their terminations are held "
                + "(apply the manifests that declare them, or prune on purpose with --allow-prune or 'porter-fleet delete --all')"
            plan.events.append(PlannedEvent(kind: .fleet, name: input.desired.fleetID, type: .warning, reason: .pruneHeld, message: message))
            plan.held.append(message)
            return
        }
        for orphan in orphans {
            plan.actions.append(
                .terminateSandbox(id: orphan.id, actualName: orphan.name, logicalName: orphan.logicalName ?? "", reason: .noLongerDesired))
        }
    }

    /// Sandboxes with this fleet's tag but without a logical name or generation were not created by
    /// porter-fleet: a warning each, and nothing else.
    static func reportIncompleteOwnership(_ input: PlannerInput, into plan: inout Plan) {
        let fleet = input.desired.fleetID
        for sandbox in input.live where sandbox.fleet == fleet && !sandbox.isOwned(by: fleet) {
            plan.events.append(
                PlannedEvent(
                    kind: .sandbox, name: sandbox.name, type: .warning, reason: .incompleteOwnership,
                    message: "sandbox \(sandbox.name) (\(sandbox.id)) carries \(OwnershipTags.fleet)=\(fleet) but no \(OwnershipTags.name) or \(OwnershipTags.generation); porter-fleet did not create it and leaves it alone"))
        }
    }
}

/// The prune guard: a pass never terminates most of a fleet because its sandboxes are no longer
/// desired (a manifest directory applied with --prune from the wrong place, a store restored from an old
/// backup) unless asked to.
public enum PruneGuard {
    /// Below this many terminations the guard never holds.
    public static let minimum = 5

    /// Whether terminating `orphans` of `live` sandboxes is held: at least ``minimum`` and more than half.
    public static func holds(terminating orphans: Int, ofLive live: Int) -> Bool {
        orphans >= minimum && orphans * 2 > live
    }
}
