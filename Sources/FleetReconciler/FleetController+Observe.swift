import FleetModel
import FleetStore
import Foundation
import PorterSandbox

extension FleetController {
    /// The history of every logical sandbox from what the store remembers: generations and backoff from
    /// the statuses, the last outcome from the newest generation's record.
    static func history(of state: ReconcilerState) -> [String: LogicalHistory] {
        var history: [String: LogicalHistory] = [:]
        for status in state.statuses.values {
            history[status.logicalName] = LogicalHistory(
                lastGeneration: status.lastGeneration, failureCount: status.failureCount, backoffUntil: status.backoffUntil,
                failingSpecHash: status.failingSpecHash)
        }
        for record in state.newestEnded.values {
            if let phase = SandboxPhase(rawValue: record.phase), phase.isTerminal {
                let outcome = LogicalHistory.Outcome(
                    generation: record.generation, phase: phase, reason: record.terminationReason.flatMap(TerminationReason.init(rawValue:)),
                    exitCode: record.exitCode, specHash: record.specHash)
                history[record.logicalName, default: LogicalHistory()].lastOutcome = outcome
                if let logical = history[record.logicalName], logical.failureCount > 0, logical.failingSpecHash == nil {
                    history[record.logicalName]?.failingSpecHash = record.specHash
                }
            }
            history[record.logicalName, default: LogicalHistory()].lastGeneration = max(
                history[record.logicalName]?.lastGeneration ?? 0, record.generation)
        }
        return history
    }

    /// Reads the desired state and what the reconciler remembers, lists this fleet's live sandboxes
    /// (and volumes when the fleet has any), learns how tracked sandboxes that left the list ended,
    /// settles recorded creates by name, and plans.
    func observeAndPlan() async throws -> ReconcilePass {
        let now = clock.now()
        let revisions = try await store.revisions()
        let desired = try await loadDesired(revisions)
        let (state, history) = try await loadReconcilerState(revisions)
        let listing = try await call { try await backend.liveListing(tags: [OwnershipTags.fleet: desired.fleetID]) }
        let live = listing.sandboxes.filter { $0.fleet == desired.fleetID }
        let volumesMatter = !desired.volumes.isEmpty || state.ownedVolumes.values.contains { $0.retainedAt == nil }
        let volumes = volumesMatter ? try await call { try await backend.volumes() } : nil
        var pass = ReconcilePass(desired: desired, state: state, live: live, history: history, plan: Plan(), now: now)
        pass.revisions = revisions
        pass.listing = listing.fingerprint
        pass.volumes = volumes
        if let settled, settled.holds(
            revisions: revisions, pruneAll: desired.pruneAllRequested, listing: listing.fingerprint, volumes: volumes, now: now,
            interval: options.fullPassInterval)
        {
            pass.plan = settled.plan
            pass.reusedPlan = true
            return pass
        }
        try await settleEndedGenerations(&pass)
        recordLiveGenerations(&pass)
        try await recoverHistoryFromTheAPI(&pass)
        let otherFleets = try await liveInOtherFleets(pass)
        let (retryIntents, volumeIntents) = try await settleIntents(&pass)
        keepDeletionPoliciesCurrent(&pass)
        var input = PlannerInput(
            desired: desired, live: live, volumes: volumes ?? [], ownedVolumes: state.ownedVolumes, volumeIntents: volumeIntents,
            history: pass.history, retryIntents: retryIntents, now: now, maxSurge: options.maxSurge, volumesListed: volumes != nil)
        input.liveInOtherFleets = otherFleets
        pass.input = input
        pass.plan = Planner.plan(input)
        try await describeDrift(&pass)
        return pass
    }

    /// The desired fleet, read again only when its revision (or the prune-all request) changed.
    private func loadDesired(_ revisions: StoreRevisions) async throws -> DesiredFleet {
        let pruneAll = revisions.pruneAllRequested != nil || options.allowPrune
        let revision = revisions.desired
        if let cached = cachedDesired, cached.revision == revision, cached.pruneAll == pruneAll { return cached.fleet }
        let desired = try DesiredFleet(resources: try await store.resources(), settings: try await store.settings(), pruneAllRequested: pruneAll)
        cachedDesired = (revision, pruneAll, desired)
        return desired
    }

    /// What the reconciler remembers and the history derived from it, read again only after a change.
    private func loadReconcilerState(_ revisions: StoreRevisions) async throws -> (ReconcilerState, [String: LogicalHistory]) {
        let revision = revisions.reconciler
        if let cached = cachedState, cached.revision == revision { return (cached.state, cached.history) }
        let state = try await store.reconcilerState()
        let history = Self.history(of: state)
        cachedState = (revision, state, history)
        return (state, history)
    }

    /// Tracked sandboxes that left the live list: each is fetched once to learn how it ended, which
    /// feeds its logical sandbox's history (failures, crash-loop backoff) and an event.
    private func settleEndedGenerations(_ pass: inout ReconcilePass) async throws {
        let liveIDs = Set(pass.live.map(\.id))
        let left = pass.state.trackedSandboxes.filter { !liveIDs.contains($0.id) }
            .sorted { ($0.logicalName, $0.generation) < ($1.logicalName, $1.generation) }
        // The usual pass: every tracked sandbox is still live, and nothing more is built.
        guard !left.isEmpty else { return }
        var ended: [(record: ActualSandboxRecord, observed: ObservedSandbox?)] = []
        for record in left { ended.append((record, try await call { try await backend.sandbox(id: record.id) })) }
        let context = EndingContext(pass, ended: ended)
        for (record, observed) in ended { recordEnding(of: record, as: observed, context: context, in: &pass) }
    }

    /// Records how a generation of this fleet ended (`observed`, nil when the API no longer has it): its
    /// record, its logical sandbox's history (failures and backoff) and the events.
    private func recordEnding(of record: ActualSandboxRecord, as observed: ObservedSandbox?, context: EndingContext, in pass: inout ReconcilePass) {
        let ended = record.ended(as: observed, now: pass.now)
        pass.changes.sandboxes.append(ended)
        let phase = observed?.phase ?? .terminated
        let outcome = LogicalHistory.Outcome(
            generation: record.generation, phase: phase, reason: observed?.terminationReason, exitCode: observed?.exitCode, specHash: record.specHash)
        var logical = pass.history[record.logicalName] ?? LogicalHistory()
        let before = logical.failureCount
        logical.recordEnd(
            outcome, startedAt: ended.startedAt, finishedAt: ended.finishedAt ?? pass.now, policy: context.policies[record.logicalName] ?? .always,
            // Not a crash: a newer generation was there when it ended, or it ended no longer desired (an orphan).
            supersededByLive: context.wasSuperseded(record, finishedAt: ended.finishedAt ?? pass.now) || context.policies[record.logicalName] == nil)
        pass.history[record.logicalName] = logical
        let detail = [observed?.exitCode.map { "exit code \($0)" }, observed?.terminationReason.map { "reason \($0.rawValue)" }]
            .compactMap { $0 }.joined(separator: ", ")
        let reason: EventReason = phase == .succeeded ? .succeeded : phase == .failed ? .failed : .terminated
        pass.event(.sandbox, record.logicalName, phase == .failed ? .warning : .normal, reason,
            "generation \(record.generation) (\(record.name)) \(phase.rawValue)\(detail.isEmpty ? "" : ": \(detail)")", at: ended.finishedAt)
        if logical.failureCount > before, logical.failureCount >= 2, let until = logical.backoffUntil {
            pass.event(.sandbox, record.logicalName, .warning, .crashLoopBackOff,
                "\(logical.failureCount) failed generations in a row; next attempt at \(RFC3339DateTranscoder.format(until))")
        }
    }

    /// Live sandboxes: new ones are tracked, phase changes recorded, and running ones feed the history.
    private func recordLiveGenerations(_ pass: inout ReconcilePass) {
        let tracked = pass.state.trackedSandboxes
        // Positions, not copies of the records: 10,000 records copied into a dictionary every full pass
        // would be the pass's largest allocation.
        var trackedIndex = [String: Int](minimumCapacity: tracked.count)
        for (index, record) in tracked.enumerated() where trackedIndex[record.id] == nil { trackedIndex[record.id] = index }
        for sandbox in pass.live {
            guard let logicalName = sandbox.logicalName, let generation = sandbox.generation else { continue }
            if var record = trackedIndex[sandbox.id].map({ tracked[$0] }) {
                if record.phase != sandbox.phase.rawValue || !sameMillisecond(record.startedAt, sandbox.startedAt) {
                    if sandbox.phase == .running, record.phase != SandboxPhase.running.rawValue {
                        pass.event(.sandbox, logicalName, .normal, .running, "generation \(generation) (\(sandbox.name)) is running", at: sandbox.startedAt)
                    }
                    record.phase = sandbox.phase.rawValue
                    record.startedAt = sandbox.startedAt
                    pass.changes.sandboxes.append(record)
                }
            } else {
                pass.changes.sandboxes.append(
                    ActualSandboxRecord(
                        id: sandbox.id, name: sandbox.name, logicalName: logicalName, generation: generation, specHash: sandbox.specHash ?? "",
                        phase: sandbox.phase.rawValue, createdAt: sandbox.createdAt, startedAt: sandbox.startedAt, tracked: true))
            }
            let known = pass.history[logicalName]
            var logical = known ?? LogicalHistory()
            if sandbox.phase == .running {
                logical.recordRunning(generation: generation, startedAt: sandbox.startedAt, now: pass.now)
            } else {
                logical.lastGeneration = max(logical.lastGeneration, generation)
            }
            // Written only when it changed: the history is shared with the cached state, and a write
            // copies all of it (10,000 entries) when nothing changed.
            if logical != known { pass.history[logicalName] = logical }
        }
    }

    /// Recorded creates: settled by name when the sandbox exists, retried under the same name when it
    /// never happened. Returns the sandbox creates to retry, by logical name, and the volume creates pending.
    private func settleIntents(_ pass: inout ReconcilePass) async throws -> ([String: CreateIntent], Set<String>) {
        let liveNames = Set(pass.live.map(\.name))
        let desiredNames = Set(pass.desired.sandboxes.map(\.logicalName))
        var retryIntents: [String: CreateIntent] = [:]
        var volumeIntents: Set<String> = []
        for intent in pass.state.intents {
            if intent.kind == "volume" {
                volumeIntents.insert(intent.actualName)
            } else if liveNames.contains(intent.actualName) {
                // A create recorded before the controller stopped (or lost its answer) took effect.
                pass.changes.settledIntents.append(intent.actualName)
                pass.event(.sandbox, intent.logicalName, .normal, .adopted,
                    "generation \(intent.generation) (\(intent.actualName)) already existed: a create recorded by an earlier pass took effect")
            } else if let found = try await call({ try await backend.sandbox(named: intent.actualName) }) {
                pass.changes.settledIntents.append(intent.actualName)
                pass.history[intent.logicalName, default: LogicalHistory()].lastGeneration = max(
                    pass.history[intent.logicalName]?.lastGeneration ?? 0, intent.generation)
                if found.phase.isTerminal, found.isOwned(by: pass.desired.fleetID), found.logicalName == intent.logicalName {
                    // The create took effect and the generation ended before a pass tracked it: how it ended
                    // counts as for any generation (a job it completed is not run again).
                    let record = ActualSandboxRecord(
                        id: found.id, name: found.name, logicalName: intent.logicalName, generation: found.generation ?? intent.generation,
                        specHash: found.specHash ?? "", phase: found.phase.rawValue, createdAt: found.createdAt, startedAt: found.startedAt, tracked: true)
                    recordEnding(of: record, as: found, context: EndingContext(pass), in: &pass)
                }
            } else if desiredNames.contains(intent.logicalName) {
                retryIntents[intent.logicalName] = intent
            } else {
                // A create that never happened, for a name no longer desired: nothing to retry.
                pass.changes.settledIntents.append(intent.actualName)
            }
        }
        return (retryIntents, volumeIntents)
    }

    /// Keeps the deletion policy of owned volumes current, for when their resource is gone.
    private func keepDeletionPoliciesCurrent(_ pass: inout ReconcilePass) {
        for volume in pass.desired.volumes {
            let policy = (volume.spec.deletionPolicy ?? .retain).rawValue
            if var owned = pass.state.ownedVolumes[volume.logicalName], owned.deletionPolicy != policy {
                owned.deletionPolicy = policy
                pass.changes.ownedVolumes.append(owned)
            }
        }
    }
}

extension ActualSandboxRecord {
    /// This tracked sandbox as it ended: observed by id, or gone from the API altogether.
    func ended(as observed: ObservedSandbox?, now: Date) -> ActualSandboxRecord {
        var ended = self
        ended.tracked = false
        ended.phase = observed?.phase.rawValue ?? SandboxPhase.terminated.rawValue
        ended.exitCode = observed?.exitCode
        ended.terminationReason = observed?.terminationReason?.rawValue ?? (observed == nil ? "gone" : nil)
        ended.startedAt = observed?.startedAt ?? startedAt
        ended.finishedAt = observed?.finishedAt ?? now
        return ended
    }
}

/// Whether two optional instants are equal to the millisecond (the store keeps milliseconds).
func sameMillisecond(_ a: Date?, _ b: Date?) -> Bool {
    switch (a, b) {
    case (nil, nil): true
    case (let a?, let b?): abs(a.timeIntervalSince(b)) < 0.001
    default: false
    }
}
