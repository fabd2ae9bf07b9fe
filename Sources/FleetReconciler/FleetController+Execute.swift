import FleetModel
import FleetStore
import Foundation
import PorterSandbox
import ServiceLifecycle

/// What one executed sandbox action did, applied to the pass by the controller.
enum ActionOutcome: Sendable {
    case created(ActualSandboxRecord, reason: CreateReason)
    case adoptedExisting(ActualSandboxRecord)
    case generationTaken(logicalName: String, generation: Int, actualName: String, ours: Bool)
    case terminated(logicalName: String, actualName: String, reason: TerminateReason)
    case maybeDone(ActionFailure)
    case failed(ActionFailure)
}

extension FleetController {
    /// Runs the plan's actions: volumes first, in order; then sandbox actions with bounded concurrency.
    func execute(_ pass: inout ReconcilePass, result: inout ReconcileResult) async throws {
        let now = clock.now()
        var volumesChanged = false
        for action in pass.plan.actions where !action.isSandboxAction {
            let before = pass.changes.ownedVolumes.count
            await executeVolume(action, pass: &pass, result: &result, now: now)
            volumesChanged = volumesChanged || pass.changes.ownedVolumes.count > before
        }
        if volumesChanged { replanSandboxes(&pass) }
        let runnable = pass.plan.actions.filter(\.isSandboxAction).filter { action in
            guard let until = apiBackoff[key(of: action)]?.until, until > now else { return true }
            result.deferred.append(action.summary)
            return false
        }
        guard await recordIntents(of: runnable, now: now, result: &result) else { return }
        let watch = DesiredStateWatch(store: store, planned: pass.revisions.desired)
        let (unsent, why) = await run(runnable, until: watch, pass: &pass, result: &result)
        for action in unsent { leaveUnsent(action, why: why, pass: &pass, result: &result) }
    }

    /// An action not sent because the pass stopped early (the desired state changed, or the controller is
    /// stopping): the next pass decides again. A create's recorded intent is settled now: it never reached
    /// the API.
    private func leaveUnsent(_ action: PlannedAction, why: String, pass: inout ReconcilePass, result: inout ReconcileResult) {
        result.deferred.append("\(action.summary): not sent, \(why)")
        if case .createSandbox(_, _, let actual, _, _, _) = action { pass.changes.settledIntents.append(actual) }
    }

    /// Commits the pass's changes so far (sandboxes, settled intents, specs, events) and logs the actions
    /// they record. A failed commit keeps them for the pass's own commit at its end.
    func recordProgress(_ pass: inout ReconcilePass, result: ReconcileResult, early: Bool) async {
        guard !pass.changes.isEmpty else {
            pass.progress.logRecorded(result, to: options.logger)
            return
        }
        let now = clock.now()
        do {
            try await store.commit(pass.changes, now: now, fence: fence(now: now))
        } catch {
            return
        }
        pass.changes = ReconcilerChanges()
        pass.progress.committed(early: early)
        pass.progress.logRecorded(result, to: options.logger)
    }

    /// Volumes made in this pass can be mounted in this pass: plans the sandboxes again with them.
    private func replanSandboxes(_ pass: inout ReconcilePass) {
        guard var input = pass.input else { return }
        for volume in pass.changes.ownedVolumes {
            input.ownedVolumes[volume.logicalName] = volume
            if !input.volumes.contains(where: { $0.id == volume.volumeID }) {
                input.volumes.append(ObservedVolume(id: volume.volumeID, name: volume.actualName, phase: .pending, attachedTo: []))
            }
        }
        let replanned = Planner.plan(input)
        pass.plan.statuses = replanned.statuses
        let sandboxActions = replanned.actions.filter { $0.isSandboxAction && (!pass.cleanupOnly || $0.isCleanup) }
        pass.plan.actions = pass.plan.actions.filter { !$0.isSandboxAction } + sandboxActions
    }

    /// Every create of this pass is recorded before any is sent, in one transaction; false when that failed.
    private func recordIntents(of actions: [PlannedAction], now: Date, result: inout ReconcileResult) async -> Bool {
        let intents = actions.compactMap { action -> CreateIntent? in
            guard case .createSandbox(let logical, let generation, let actual, _, _, _) = action else { return nil }
            return CreateIntent(actualName: actual, kind: "sandbox", logicalName: logical, generation: generation, createdAt: now)
        }
        // A pass that creates nothing reads and writes nothing here (the no-op pass stays list pages only).
        guard !intents.isEmpty else { return true }
        do {
            try await checkFencing()
            try await store.recordIntents(intents, fence: fence(now: now))
            return true
        } catch {
            result.failed.append(ActionFailure(logicalName: nil, kind: .recordIntents, summary: "cannot record the creates of this pass", failure: error))
            return false
        }
    }

    /// Runs sandbox actions, at most the flow-control ceiling at once (each call then waits for its permit),
    /// recording their results as they come (``PassProgress``); sends no more once `watch` sees the desired
    /// state change or the controller is asked to stop. Returns what was not sent, and why.
    private func run(
        _ actions: [PlannedAction], until watch: DesiredStateWatch, pass: inout ReconcilePass, result: inout ReconcileResult
    ) async -> (unsent: [PlannedAction], why: String) {
        // Nothing to send, nothing to record as it goes: no tick to wait for.
        guard !actions.isEmpty else { return ([], "") }
        return await withTaskGroup(of: ActionOutcome?.self) { group in
            var remaining = actions[...]
            var inFlight = 0
            while inFlight < max(1, options.flow.ceiling), let action = remaining.popFirst() {
                group.addTask { await self.run(action) }
                inFlight += 1
            }
            // A tick (nil) commits what answered while every call in flight is still waiting.
            group.addTask { try? await Task.sleep(for: PassProgress.recordEvery); return nil }
            var stopped: String?
            while let next = await group.next() {
                guard let outcome = next else {
                    guard inFlight > 0 else { continue }
                    await recordProgress(&pass, result: result, early: true)
                    group.addTask { try? await Task.sleep(for: PassProgress.recordEvery); return nil }
                    continue
                }
                inFlight -= 1
                apply(outcome, to: &pass, result: &result)
                if pass.progress.noteResult() { await recordProgress(&pass, result: result, early: true) }
                guard stopped == nil, !remaining.isEmpty else {
                    if inFlight == 0 { group.cancelAll() }  // only the tick is left: the pass's own commit follows
                    continue
                }
                if Task.isCancelled || Task.isShuttingDownGracefully {
                    stopped = "the controller is stopping"
                } else if await watch.hasChanged() {
                    stopped = "the desired state changed during the pass"
                } else if let action = remaining.popFirst() {
                    group.addTask { await self.run(action) }
                    inFlight += 1
                }
                if stopped != nil, inFlight == 0 { group.cancelAll() }  // stopped with nothing in flight: only the tick is left
            }
            return (stopped == nil ? [] : Array(remaining), stopped ?? "")
        }
    }

    nonisolated func key(of action: PlannedAction) -> String {
        action.isSandboxAction ? "sandbox/\(action.logicalName)" : "volume/\(action.logicalName)"
    }

    /// Runs one sandbox action against the API.
    nonisolated func run(_ action: PlannedAction) async -> ActionOutcome {
        switch action {
        case .createSandbox(let logical, let generation, let actual, let spec, let hash, let reason):
            return await create(action, logical: logical, generation: generation, actual: actual, spec: spec, hash: hash, reason: reason)
        case .terminateSandbox(let id, let actual, let logical, let reason):
            do {
                try await mutate { try await backend.terminateSandbox(id: id) }
                return .terminated(logicalName: logical, actualName: actual, reason: reason)
            } catch {
                return .failed(ActionFailure(logicalName: logical, kind: action.kind, summary: action.summary, failure: error))
            }
        default:
            return .failed(ActionFailure(logicalName: action.logicalName, kind: action.kind, summary: action.summary, error: ActionError(.terminal, "not a sandbox action")))
        }
    }

    /// Creates a generation; a name that exists is settled: a retried create of ours is adopted, anything
    /// else moves on to the next generation. A create that timed out may have taken effect.
    private nonisolated func create(
        _ action: PlannedAction, logical: String, generation: Int, actual: String, spec: SandboxSpec, hash: String, reason: CreateReason
    ) async -> ActionOutcome {
        do {
            let id = try await mutate { try await backend.createSandbox(spec) }
            let record = ActualSandboxRecord(
                id: id, name: actual, logicalName: logical, generation: generation, specHash: hash, phase: SandboxPhase.queued.rawValue,
                createdAt: clock.now(), tracked: true)
            return .created(record, reason: reason)
        } catch let error as PorterError where error.kind == .conflict {
            guard let existing = try? await call({ try await backend.sandbox(named: actual) }) else {
                return .failed(ActionFailure(logicalName: logical, kind: action.kind, summary: action.summary, failure: error))
            }
            let ours = existing.fleet == spec.tags?.additionalProperties[OwnershipTags.fleet] && existing.logicalName == logical
            guard ours, !existing.phase.isTerminal else {
                return .generationTaken(logicalName: logical, generation: generation, actualName: actual, ours: ours)
            }
            return .adoptedExisting(
                ActualSandboxRecord(
                    id: existing.id, name: existing.name, logicalName: logical, generation: existing.generation ?? generation,
                    specHash: existing.specHash ?? "", phase: existing.phase.rawValue, createdAt: existing.createdAt,
                    startedAt: existing.startedAt, tracked: true))
        } catch let error as PorterError where error.kind == .timeout || error.kind == .transport {
            return .maybeDone(ActionFailure(logicalName: logical, kind: action.kind, summary: action.summary, error: ActionError(.maybeDone, error.description, porterError: error)))
        } catch {
            return .failed(ActionFailure(logicalName: logical, kind: action.kind, summary: action.summary, failure: error))
        }
    }

    /// Records what a sandbox action did: the sandbox, the settled intent, the event, the result.
    func apply(_ outcome: ActionOutcome, to pass: inout ReconcilePass, result: inout ReconcileResult) {
        switch outcome {
        case .created(let record, let reason):
            pass.track(record)
            pass.recordSpec(of: record)
            pass.event(.sandbox, record.logicalName, .normal, reason.isReplacement ? .replacing : .created,
                "created generation \(record.generation) (\(record.name)): \(reason)")
            apiBackoff[key(of: record.logicalName)] = nil
            result.succeeded.append(ActionReport(.createSandbox, "create sandbox \(record.name)"))
        case .adoptedExisting(let record):
            pass.track(record)
            pass.event(.sandbox, record.logicalName, .normal, .adopted,
                "generation \(record.generation) (\(record.name)) already existed: an earlier create took effect")
            result.succeeded.append(ActionReport(.adoptSandbox, "adopt sandbox \(record.name)"))
        case .generationTaken(let logical, let generation, let actual, let ours):
            pass.changes.settledIntents.append(actual)
            pass.history[logical, default: LogicalHistory()].lastGeneration = max(pass.history[logical]?.lastGeneration ?? 0, generation)
            if !ours {
                pass.event(.sandbox, logical, .warning, .nameConflict, "the name \(actual) belongs to a sandbox porter-fleet does not own; the next generation is used")
            }
            result.deferred.append("create sandbox \(actual): the name is taken; the next pass uses generation \(generation + 1)")
        case .terminated(let logical, let actual, let reason):
            pass.event(.sandbox, logical, .normal, reason.isCleanup ? .orphanTerminated : .replaced, "terminated \(actual): \(reason)")
            result.succeeded.append(ActionReport(.terminateSandbox, "terminate sandbox \(actual)"))
        case .maybeDone(let failure):
            pass.event(.sandbox, failure.logicalName ?? "", .warning, .apiError,
                "\(failure.summary) may have taken effect (\(failure.error)); settled by name on the next pass")
            result.failed.append(failure)
        case .failed(let failure):
            backOff(key(of: failure.logicalName ?? ""))
            let next = failure.error.disposition == .retryable ? "tried again after a backoff" : "tried again after a backoff; it will fail the same way until the spec or the API changes"
            pass.event(.sandbox, failure.logicalName ?? "", .warning, .apiError, "\(failure.summary) failed: \(failure.error) (\(next))")
            result.failed.append(failure)
        }
    }

    /// Holds back the next action on a resource after an API error: 1 s doubling to 5 min, jittered.
    private func backOff(_ key: String) {
        let failures = (apiBackoff[key]?.failures ?? 0) + 1
        let delay = min(300, pow(2, Double(failures - 1))) * Double.random(in: 0.8...1.2)
        apiBackoff[key] = (failures, clock.now().addingTimeInterval(delay))
    }

    func key(of logicalName: String) -> String { "sandbox/\(logicalName)" }

    /// Runs one volume action in order (volumes come before the sandboxes that mount them).
    func executeVolume(_ action: PlannedAction, pass: inout ReconcilePass, result: inout ReconcileResult, now: Date) async {
        let policies = Dictionary(pass.desired.volumes.map { ($0.logicalName, ($0.spec.deletionPolicy ?? .retain).rawValue) }, uniquingKeysWith: { a, _ in a })
        do {
            switch action {
            case .createVolume(let logical, let actual):
                try await checkFencing()
                try await store.recordIntents(
                    [CreateIntent(actualName: actual, kind: "volume", logicalName: logical, generation: 0, createdAt: now)], fence: fence(now: now))
                let volume = try await mutate { try await backend.createVolume(name: actual) }
                pass.changes.ownedVolumes.append(
                    OwnedVolume(logicalName: logical, volumeID: volume.id, actualName: actual, adopted: false, deletionPolicy: policies[logical] ?? "retain", createdAt: now))
                pass.changes.settledIntents.append(actual)
                pass.event(.volume, logical, .normal, .volumeCreated, "created volume \(actual) (\(volume.id))")
            case .adoptVolume(let logical, let id, let actual, let adopted):
                let retained = pass.state.ownedVolumes[logical].flatMap { $0.volumeID == id ? $0.retainedAt : nil } != nil
                pass.changes.ownedVolumes.append(
                    OwnedVolume(logicalName: logical, volumeID: id, actualName: actual, adopted: adopted, deletionPolicy: policies[logical] ?? "retain", createdAt: now))
                pass.changes.settledIntents.append(actual)
                pass.event(.volume, logical, .normal, adopted || retained ? .volumeAdopted : .volumeCreated,
                    retained ? "volume \(actual) (\(id)), retained when it was no longer desired, is declared again and used again"
                        : adopted ? "adopted the existing volume \(actual) (\(id))"
                            : "volume \(actual) (\(id)) carries this fleet's scoped name: recorded as ours (a create whose answer was lost, or a store recovered with --fleet)")
            case .deleteVolume(let logical, let id):
                try await mutate { try await backend.deleteVolume(id: id) }
                pass.changes.releasedVolumes.append(logical)
                pass.event(.volume, logical, .normal, .volumeDeleted, "deleted volume \(id) (deletion_policy: delete)")
            case .retainVolume(let logical, _):
                if var owned = pass.state.ownedVolumes[logical] {
                    owned.retainedAt = now
                    pass.changes.ownedVolumes.append(owned)
                }
            case .forgetVolume(let logical, _):
                pass.changes.releasedVolumes.append(logical)
            default:
                return
            }
            result.succeeded.append(ActionReport(action.kind, action.summary))
        } catch {
            pass.event(.volume, action.logicalName, .warning, .apiError, "\(action.summary) failed: \(error)")
            result.failed.append(ActionFailure(logicalName: action.logicalName, kind: action.kind, summary: action.summary, failure: error))
        }
    }
}

extension ReconcilePass {
    /// Tracks a sandbox this pass created or adopted, and settles its intent.
    mutating func track(_ record: ActualSandboxRecord) {
        changes.sandboxes.append(record)
        changes.settledIntents.append(record.name)
        history[record.logicalName, default: LogicalHistory()].lastGeneration = max(history[record.logicalName]?.lastGeneration ?? 0, record.generation)
    }
}
