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
    /// Every volume in the API.
    public var volumes: [ObservedVolume]
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

    /// Creates an input.
    public init(
        desired: DesiredFleet, live: [ObservedSandbox], volumes: [ObservedVolume] = [], ownedVolumes: [String: OwnedVolume] = [:],
        volumeIntents: Set<String> = [], history: [String: LogicalHistory] = [:], retryIntents: [String: CreateIntent] = [:],
        now: Date, maxSurge: Int? = nil
    ) {
        self.desired = desired
        self.live = live
        self.volumes = volumes
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
    /// The plan for one pass.
    public static func plan(_ input: PlannerInput) -> Plan {
        var plan = Plan()
        let desired = input.desired
        let volumeIDs = planVolumes(input, into: &plan)
        let liveByLogical = Dictionary(grouping: input.live.filter { $0.fleet == desired.fleetID }) { $0.logicalName ?? "" }
        let surgeLimit = input.maxSurge ?? max(1, desired.sandboxes.count / 4)
        var replacementsInFlight = 0
        for sandbox in desired.sandboxes {
            let generations = liveByLogical[sandbox.logicalName] ?? []
            if generations.count > 1 { replacementsInFlight += 1 }
        }

        // Members of a set share their request: build it and hash it once per owner.
        var requestCache: [String: (SandboxSpec, String)] = [:]
        for sandbox in desired.sandboxes {
            let name = sandbox.logicalName
            let history = input.history[name] ?? LogicalHistory()
            let live = liveByLogical[name] ?? []
            let generations = live.count < 2 ? live : live.sorted { ($0.generation ?? 0) > ($1.generation ?? 0) }
            var status = LogicalSandboxStatus(
                logicalName: name, owner: sandbox.owner, lastGeneration: history.lastGeneration, failureCount: history.failureCount,
                backoffUntil: history.backoffUntil, lastTransitionAt: input.now)
            if let newest = generations.first {
                status.phase = newest.phase.rawValue
                status.generation = newest.generation
                status.actualID = newest.id
                status.actualName = newest.name
            }
            let missingVolumes = (sandbox.template.volumeMounts ?? [:]).values.filter { volumeIDs[$0] == nil }.sorted()
            let cached = requestCache[sandbox.owner]
            guard missingVolumes.isEmpty, let base = cached?.0 ?? CreateRequest.base(sandbox, volumeIDs: volumeIDs) else {
                status.health = generations.isEmpty ? "Progressing" : "Degraded"
                status.message = "waiting for volume \(missingVolumes.joined(separator: ", "))"
                plan.statuses.append(status)
                continue
            }
            let hash = cached?.1 ?? CreateRequest.specHash(base)
            if cached == nil { requestCache[sandbox.owner] = (base, hash) }
            // The common case, one running generation as desired, needs nothing more.
            if generations.count == 1, let only = generations.first, only.phase == .running, only.specHash == hash,
                !visiblyDrifted(only, from: base)
            {
                status.sync = "Synced"
                status.health = "Healthy"
                plan.statuses.append(status)
                continue
            }
            let nextGeneration = max(history.lastGeneration, generations.compactMap(\.generation).max() ?? 0) + 1
            func create(_ reason: String) {
                let retry = input.retryIntents[name]
                let generation = retry?.generation ?? nextGeneration
                let actual = retry?.actualName ?? desired.actualSandboxName(name, generation: generation)
                let spec = CreateRequest.full(base, fleet: desired.fleetID, logicalName: name, generation: generation, actualName: actual, specHash: hash)
                plan.actions.append(.createSandbox(logicalName: name, generation: generation, actualName: actual, spec: spec, specHash: hash, reason: reason))
            }

            if generations.isEmpty {
                if let outcome = history.lastOutcome, isFinished(outcome, policy: sandbox.template.effectiveRestartPolicy) {
                    status.sync = "Synced"
                    status.health = "Completed"
                    status.phase = outcome.phase.rawValue
                    status.generation = outcome.generation
                    status.message = "generation \(outcome.generation) \(outcome.phase.rawValue); restart_policy \(sandbox.template.effectiveRestartPolicy.rawValue)"
                } else if let until = history.backoffUntil, until > input.now {
                    status.health = "Backoff"
                    status.message = "crash-loop backoff after \(history.failureCount) failures; next attempt at \(RFC3339DateTranscoder.format(until))"
                    plan.requeueAt = min(plan.requeueAt ?? until, until)
                } else {
                    let reason =
                        history.lastOutcome.map { "generation \($0.generation) ended \($0.phase.rawValue)\($0.reason.map { " (\($0.rawValue))" } ?? "")" }
                        ?? (history.lastGeneration == 0 ? "not created yet" : "no live generation")
                    create(reason)
                    status.health = "Missing"
                    status.message = reason
                }
                plan.statuses.append(status)
                continue
            }

            let matching = generations.filter { $0.specHash == hash && !visiblyDrifted($0, from: base) }
            if let keep = matching.first(where: { $0.phase == .running }) ?? matching.first {
                let others = generations.filter { $0.id != keep.id }
                status.phase = keep.phase.rawValue
                status.generation = keep.generation
                status.actualID = keep.id
                status.actualName = keep.name
                if others.isEmpty {
                    status.sync = "Synced"
                    status.health = keep.phase == .running ? "Healthy" : "Progressing"
                    status.message = keep.phase == .running ? "" : "generation \(keep.generation ?? 0) is \(keep.phase.rawValue)"
                } else if keep.phase == .running {
                    // This replacement completes in this pass, which frees its surge slot.
                    if others.contains(where: { $0.specHash != hash }) { replacementsInFlight -= 1 }
                    for other in others {
                        let reason =
                            other.specHash == hash ? "duplicate of generation \(keep.generation ?? 0)" : "replaced by generation \(keep.generation ?? 0)"
                        plan.actions.append(.terminateSandbox(id: other.id, actualName: other.name, logicalName: name, reason: reason))
                    }
                    status.sync = "Synced"
                    status.health = "Healthy"
                    status.message = "terminating \(others.count) older generation(s)"
                } else {
                    status.health = "Progressing"
                    status.message = "generation \(keep.generation ?? 0) is \(keep.phase.rawValue); the old generation runs until it is running"
                }
                plan.statuses.append(status)
                continue
            }

            // Every live generation differs from the desired spec: replace, create before destroy.
            let current = generations[0]
            if let outcome = history.lastOutcome, outcome.generation > (current.generation ?? 0), outcome.phase == .failed,
                let until = history.backoffUntil, until > input.now
            {
                status.health = "Degraded"
                status.message = "replacement generation \(outcome.generation) failed; generation \(current.generation ?? 0) keeps running; next attempt at \(RFC3339DateTranscoder.format(until))"
                plan.requeueAt = min(plan.requeueAt ?? until, until)
            } else if replacementsInFlight < surgeLimit {
                replacementsInFlight += 1
                let why = current.specHash != hash ? "spec hash \(current.specHash ?? "none") → \(hash)" : "visible fields drifted"
                plan.events.append(
                    PlannedEvent(kind: "Sandbox", name: name, type: "Normal", reason: "Drift", message: "generation \(current.generation ?? 0): \(why)"))
                create("replace drifted generation \(current.generation ?? 0)")
                status.health = "Progressing"
                status.message = "replacing generation \(current.generation ?? 0) (\(why))"
            } else {
                status.health = "Progressing"
                status.message = "replacement waits for max_surge (\(surgeLimit) in flight)"
            }
            plan.statuses.append(status)
        }

        planOrphans(input, liveByLogical: liveByLogical, into: &plan)
        return plan
    }

    /// Whether a finished generation means the run is over for this restart policy.
    static func isFinished(_ outcome: LogicalHistory.Outcome, policy: RestartPolicy) -> Bool {
        switch policy {
        case .always: return false
        case .never: return true
        case .onFailure:
            switch outcome.phase {
            case .succeeded: return true
            case .failed: return false
            case .terminated: return !(outcome.reason == .backendLost || outcome.reason == .launchFailed)
            default: return false
            }
        }
    }

    /// Fields visible on a live sandbox that must match the desired request: image and mounts.
    static func visiblyDrifted(_ observed: ObservedSandbox, from base: SandboxSpec) -> Bool {
        if !observed.image.isEmpty, let image = base.image, observed.image != image { return true }
        let desiredMounts = base.volumeMounts?.additionalProperties ?? [:]
        if !observed.volumeMounts.isEmpty || !desiredMounts.isEmpty, observed.volumeMounts != desiredMounts { return true }
        return false
    }

    /// Volumes: create the desired ones before the sandboxes that mount them; delete or forget the ones
    /// no longer desired. Returns the ids of desired volumes that exist, by logical name.
    static func planVolumes(_ input: PlannerInput, into plan: inout Plan) -> [String: String] {
        let desired = input.desired
        let byName = Dictionary(input.volumes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let byID = Dictionary(input.volumes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var ids: [String: String] = [:]
        for volume in desired.volumes {
            let actual = desired.actualVolumeName(volume.logicalName)
            if let owned = input.ownedVolumes[volume.logicalName], byID[owned.volumeID] != nil {
                ids[volume.logicalName] = owned.volumeID
            } else if let existing = byName[actual] {
                if input.volumeIntents.contains(actual) || input.ownedVolumes[volume.logicalName]?.actualName == actual
                    && input.ownedVolumes[volume.logicalName]?.volumeID == existing.id
                {
                    plan.actions.append(.adoptVolume(logicalName: volume.logicalName, volumeID: existing.id, actualName: actual, adopted: false))
                    ids[volume.logicalName] = existing.id
                } else if volume.spec.adopt == true {
                    plan.actions.append(.adoptVolume(logicalName: volume.logicalName, volumeID: existing.id, actualName: actual, adopted: true))
                    ids[volume.logicalName] = existing.id
                } else {
                    plan.events.append(
                        PlannedEvent(
                            kind: "Volume", name: volume.logicalName, type: "Warning", reason: "VolumeNameTaken",
                            message: "a volume named \(actual) exists that porter-fleet did not create; set adopt: true to use it"))
                }
            } else {
                plan.actions.append(.createVolume(logicalName: volume.logicalName, actualName: actual))
            }
        }
        let desiredNames = Set(desired.volumes.map(\.logicalName))
        for owned in input.ownedVolumes.values.sorted(by: { $0.logicalName < $1.logicalName }) where !desiredNames.contains(owned.logicalName) {
            guard let observed = byID[owned.volumeID] else {
                plan.actions.append(.releaseVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
                continue
            }
            if owned.deletionPolicy == DeletionPolicy.delete.rawValue {
                if observed.attachedTo.isEmpty {
                    plan.actions.append(.deleteVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
                }
            } else {
                plan.actions.append(.releaseVolume(logicalName: owned.logicalName, volumeID: owned.volumeID))
                plan.events.append(
                    PlannedEvent(
                        kind: "Volume", name: owned.logicalName, reason: "VolumeRetained",
                        message: "volume \(owned.actualName) (\(owned.volumeID)) is no longer desired and is kept (deletion_policy: retain)"))
            }
        }
        return ids
    }

    /// Live sandboxes of this fleet whose logical name is no longer desired are terminated, unless the
    /// desired state is empty and nobody asked for that (the empty-state guard).
    static func planOrphans(_ input: PlannerInput, liveByLogical: [String: [ObservedSandbox]], into plan: inout Plan) {
        let desiredNames = Set(input.desired.sandboxes.map(\.logicalName))
        let orphans = liveByLogical.filter { !desiredNames.contains($0.key) }.flatMap(\.value).sorted { $0.name < $1.name }
        guard !orphans.isEmpty else { return }
        if input.desired.sandboxes.isEmpty && !input.desired.pruneAllRequested {
            plan.events.append(
                PlannedEvent(
                    kind: "Fleet", name: input.desired.fleetID, type: "Warning", reason: "EmptyDesiredState",
                    message: "the desired state is empty but \(orphans.count) sandboxes of this fleet are live; nothing is terminated (use 'porter-fleet delete --all' or --allow-empty to prune them)"))
            return
        }
        for orphan in orphans {
            plan.actions.append(
                .terminateSandbox(id: orphan.id, actualName: orphan.name, logicalName: orphan.logicalName ?? "", reason: "no longer desired"))
        }
    }
}
