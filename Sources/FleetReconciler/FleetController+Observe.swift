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
                lastGeneration: status.lastGeneration, failureCount: status.failureCount, backoffUntil: status.backoffUntil)
        }
        for record in state.latestSandboxes.values where !record.tracked {
            if let phase = SandboxPhase(rawValue: record.phase), phase.isTerminal {
                history[record.logicalName, default: LogicalHistory()].lastOutcome = LogicalHistory.Outcome(
                    generation: record.generation, phase: phase, reason: record.terminationReason.flatMap(TerminationReason.init(rawValue:)),
                    exitCode: record.exitCode)
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
        let now = clock()
        let pruneAll = try store.pruneAllRequestedRevision() != nil || options.allowEmpty
        let desiredRevision = try store.revision()
        let desired: DesiredFleet
        if let cached = cachedDesired, cached.revision == desiredRevision, cached.pruneAll == pruneAll {
            desired = cached.fleet
        } else {
            desired = try DesiredFleet(resources: try store.resources(), settings: try store.settings(), pruneAllRequested: pruneAll)
            cachedDesired = (desiredRevision, pruneAll, desired)
        }
        let reconcilerRevision = try store.reconcilerRevision()
        let state: ReconcilerState
        let history: [String: LogicalHistory]
        if let cached = cachedState, cached.revision == reconcilerRevision {
            state = cached.state
            history = cached.history
        } else {
            state = try store.reconcilerState()
            history = Self.history(of: state)
            cachedState = (reconcilerRevision, state, history)
        }
        let fleetTag = [OwnershipTags.fleet: desired.fleetID]
        let live = try await call { try await backend.liveSandboxes(tags: fleetTag) }.filter { $0.fleet == desired.fleetID }
        let volumes = desired.volumes.isEmpty && state.ownedVolumes.isEmpty ? [] : try await call { try await backend.volumes() }
        let policies = Dictionary(desired.sandboxes.map { ($0.logicalName, $0.template.effectiveRestartPolicy) }, uniquingKeysWith: { a, _ in a })

        var pass = ReconcilePass(desired: desired, state: state, live: live, history: history, plan: Plan(), now: now)
        let liveByID = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let trackedByID = Dictionary(state.trackedSandboxes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })

        // Tracked sandboxes that left the live list: fetch each once to learn how it ended.
        for record in state.trackedSandboxes.sorted(by: { $0.name < $1.name }) where liveByID[record.id] == nil {
            let observed = try await call { try await backend.sandbox(id: record.id) }
            var ended = record
            ended.tracked = false
            ended.phase = observed?.phase.rawValue ?? SandboxPhase.terminated.rawValue
            ended.exitCode = observed?.exitCode
            ended.terminationReason = observed?.terminationReason?.rawValue ?? (observed == nil ? "gone" : nil)
            ended.startedAt = observed?.startedAt ?? record.startedAt
            ended.finishedAt = observed?.finishedAt ?? now
            pass.changes.sandboxes.append(ended)
            let phase = observed?.phase ?? .terminated
            let outcome = LogicalHistory.Outcome(
                generation: record.generation, phase: phase, reason: observed?.terminationReason, exitCode: observed?.exitCode)
            var logical = pass.history[record.logicalName] ?? LogicalHistory()
            let before = logical.failureCount
            logical.recordEnd(outcome, startedAt: ended.startedAt, finishedAt: ended.finishedAt ?? now, restartAlways: policies[record.logicalName] == .always)
            pass.history[record.logicalName] = logical
            let detail = [observed?.exitCode.map { "exit code \($0)" }, observed?.terminationReason.map { "reason \($0.rawValue)" }]
                .compactMap { $0 }.joined(separator: ", ")
            let reason: EventReason = phase == .succeeded ? .succeeded : phase == .failed ? .failed : .terminated
            pass.event(.sandbox, record.logicalName, phase == .failed ? .warning : .normal, reason,
                "generation \(record.generation) (\(record.name)) \(phase.rawValue)\(detail.isEmpty ? "" : ": \(detail)")")
            if logical.failureCount > before, logical.failureCount >= 2, let until = logical.backoffUntil {
                pass.event(.sandbox, record.logicalName, .warning, .crashLoopBackOff,
                    "\(logical.failureCount) failed generations in a row; next attempt at \(RFC3339DateTranscoder.format(until))")
            }
        }

        // Live sandboxes: record new ones and phase changes.
        for sandbox in live {
            guard let logicalName = sandbox.logicalName, let generation = sandbox.generation else { continue }
            if var record = trackedByID[sandbox.id] {
                if record.phase != sandbox.phase.rawValue || !sameMillisecond(record.startedAt, sandbox.startedAt) {
                    if sandbox.phase == .running, record.phase != SandboxPhase.running.rawValue {
                        pass.event(.sandbox, logicalName, .normal, .running, "generation \(generation) (\(sandbox.name)) is running")
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
            var logical = pass.history[logicalName] ?? LogicalHistory()
            if sandbox.phase == .running {
                logical.recordRunning(generation: generation, startedAt: sandbox.startedAt, now: now)
            } else {
                logical.lastGeneration = max(logical.lastGeneration, generation)
            }
            pass.history[logicalName] = logical
        }

        // Recorded creates: settled by name, or retried under the same name when they never happened.
        let liveNames = Set(live.map(\.name))
        var retryIntents: [String: CreateIntent] = [:]
        var volumeIntents: Set<String> = []
        for intent in state.intents {
            if intent.kind == "volume" {
                volumeIntents.insert(intent.actualName)
                continue
            }
            if liveNames.contains(intent.actualName) {
                pass.changes.settledIntents.append(intent.actualName)
                continue
            }
            if try await call({ try await backend.sandbox(named: intent.actualName) }) != nil {
                pass.changes.settledIntents.append(intent.actualName)
                var logical = pass.history[intent.logicalName] ?? LogicalHistory()
                logical.lastGeneration = max(logical.lastGeneration, intent.generation)
                pass.history[intent.logicalName] = logical
            } else {
                retryIntents[intent.logicalName] = intent
            }
        }

        // Keep the deletion policy of owned volumes current, for when their resource is gone.
        for volume in desired.volumes {
            if var owned = state.ownedVolumes[volume.logicalName], owned.deletionPolicy != (volume.spec.deletionPolicy ?? .retain).rawValue {
                owned.deletionPolicy = (volume.spec.deletionPolicy ?? .retain).rawValue
                pass.changes.ownedVolumes.append(owned)
            }
        }

        let input = PlannerInput(
            desired: desired, live: live, volumes: volumes, ownedVolumes: state.ownedVolumes, volumeIntents: volumeIntents,
            history: pass.history, retryIntents: retryIntents, now: now, maxSurge: options.maxSurge)
        pass.input = input
        pass.plan = Planner.plan(input)
        return pass
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
