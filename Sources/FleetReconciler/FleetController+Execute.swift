import FleetModel
import FleetStore
import Foundation
import PorterSandbox

/// What one executed action did, applied to the pass by the controller.
enum ActionOutcome: Sendable {
    case created(ActualSandboxRecord, reason: String)
    case adoptedExisting(ActualSandboxRecord)
    case generationTaken(logicalName: String, generation: Int, actualName: String, ours: Bool)
    case terminated(logicalName: String, actualName: String, reason: String)
    case maybeDone(logicalName: String, summary: String, error: String)
    case failed(key: String, logicalName: String, summary: String, error: String)
}

extension FleetController {
    /// Runs the plan's actions: volumes first, in order; then sandbox actions with bounded concurrency.
    func execute(_ pass: inout ReconcilePass, result: inout ReconcileResult) async throws {
        let now = clock()
        var sandboxActions: [PlannedAction] = []
        var volumesChanged = false
        for action in pass.plan.actions {
            switch action {
            case .createSandbox, .terminateSandbox:
                sandboxActions.append(action)
            default:
                let before = pass.changes.ownedVolumes.count
                await executeVolume(action, pass: &pass, result: &result, now: now)
                volumesChanged = volumesChanged || pass.changes.ownedVolumes.count > before
            }
        }
        // Volumes made in this pass can be mounted in this pass: plan the sandboxes again with them.
        if volumesChanged, var input = pass.input {
            for volume in pass.changes.ownedVolumes {
                input.ownedVolumes[volume.logicalName] = volume
                if !input.volumes.contains(where: { $0.id == volume.volumeID }) {
                    input.volumes.append(ObservedVolume(id: volume.volumeID, name: volume.actualName, phase: .pending, attachedTo: []))
                }
            }
            let replanned = Planner.plan(input)
            sandboxActions = replanned.actions.filter {
                switch $0 {
                case .createSandbox, .terminateSandbox: true
                default: false
                }
            }
            pass.plan.statuses = replanned.statuses
            pass.plan.actions = pass.plan.actions.filter { action in
                switch action {
                case .createSandbox, .terminateSandbox: false
                default: true
                }
            } + sandboxActions
        }
        let runnable = sandboxActions.filter { action in
            guard let until = apiBackoff[key(of: action)]?.until, until > now else { return true }
            result.deferred.append(action.summary)
            return false
        }
        // Every create of this pass is recorded before any is sent, in one transaction.
        let intents = runnable.compactMap { action -> CreateIntent? in
            guard case .createSandbox(let logical, let generation, let actual, _, _, _) = action else { return nil }
            return CreateIntent(actualName: actual, kind: "sandbox", logicalName: logical, generation: generation, createdAt: now)
        }
        do {
            try checkFencing()
            try store.recordIntents(intents)
        } catch {
            result.failed.append("|cannot record the creates of this pass: \(error)")
            return
        }
        let outcomes = await withTaskGroup(of: ActionOutcome.self, returning: [ActionOutcome].self) { group in
            var outcomes: [ActionOutcome] = []
            var iterator = runnable.makeIterator()
            var inFlight = 0
            while inFlight < max(1, options.concurrency), let action = iterator.next() {
                group.addTask { await self.run(action) }
                inFlight += 1
            }
            while let outcome = await group.next() {
                outcomes.append(outcome)
                if let action = iterator.next() { group.addTask { await self.run(action) } }
            }
            return outcomes
        }
        for outcome in outcomes { apply(outcome, to: &pass, result: &result) }
    }

    nonisolated func key(of action: PlannedAction) -> String {
        switch action {
        case .createSandbox(let logical, _, _, _, _, _), .terminateSandbox(_, _, let logical, _): "sandbox/\(logical)"
        case .createVolume(let logical, _), .adoptVolume(let logical, _, _, _), .deleteVolume(let logical, _), .releaseVolume(let logical, _):
            "volume/\(logical)"
        }
    }

    /// Runs one sandbox action against the API.
    nonisolated func run(_ action: PlannedAction) async -> ActionOutcome {
        switch action {
        case .createSandbox(let logical, let generation, let actual, let spec, let hash, let reason):
            do {
                try await checkFencing()
                let id = try await call { try await backend.createSandbox(spec) }
                return .created(
                    ActualSandboxRecord(
                        id: id, name: actual, logicalName: logical, generation: generation, specHash: hash, phase: SandboxPhase.queued.rawValue,
                        createdAt: clock(), tracked: true),
                    reason: reason)
            } catch let error as PorterError where error.kind == .conflict {
                // The name exists: a retried create of ours, an earlier generation, or someone else's.
                guard let existing = try? await call({ try await backend.sandbox(named: actual) }) else {
                    return .failed(key: "sandbox/\(logical)", logicalName: logical, summary: action.summary, error: error.description)
                }
                let ours = existing.fleet == spec.tags?.additionalProperties[OwnershipTags.fleet] && existing.logicalName == logical
                if ours, !existing.phase.isTerminal {
                    return .adoptedExisting(
                        ActualSandboxRecord(
                            id: existing.id, name: existing.name, logicalName: logical, generation: existing.generation ?? generation,
                            specHash: existing.specHash ?? "", phase: existing.phase.rawValue, createdAt: existing.createdAt,
                            startedAt: existing.startedAt, tracked: true))
                }
                return .generationTaken(logicalName: logical, generation: generation, actualName: actual, ours: ours)
            } catch let error as PorterError where error.kind == .timeout || error.kind == .transport {
                return .maybeDone(logicalName: logical, summary: action.summary, error: error.description)
            } catch {
                return .failed(key: "sandbox/\(logical)", logicalName: logical, summary: action.summary, error: "\(error)")
            }
        case .terminateSandbox(let id, let actual, let logical, let reason):
            do {
                try await checkFencing()
                try await call { try await backend.terminateSandbox(id: id) }
                return .terminated(logicalName: logical, actualName: actual, reason: reason)
            } catch {
                return .failed(key: "sandbox/\(logical)", logicalName: logical, summary: action.summary, error: "\(error)")
            }
        default:
            return .failed(key: key(of: action), logicalName: "", summary: action.summary, error: "not a sandbox action")
        }
    }

    func apply(_ outcome: ActionOutcome, to pass: inout ReconcilePass, result: inout ReconcileResult) {
        switch outcome {
        case .created(let record, let reason):
            pass.changes.sandboxes.append(record)
            pass.changes.settledIntents.append(record.name)
            pass.history[record.logicalName, default: LogicalHistory()].lastGeneration = max(
                pass.history[record.logicalName]?.lastGeneration ?? 0, record.generation)
            let replaced = reason.hasPrefix("replace")
            pass.event("Sandbox", record.logicalName, "Normal", replaced ? "Replacing" : "Created", "created generation \(record.generation) (\(record.name)): \(reason)")
            apiBackoff[key(of: record.logicalName)] = nil
            result.succeeded.append("create sandbox \(record.name)")
        case .adoptedExisting(let record):
            pass.changes.sandboxes.append(record)
            pass.changes.settledIntents.append(record.name)
            pass.history[record.logicalName, default: LogicalHistory()].lastGeneration = max(
                pass.history[record.logicalName]?.lastGeneration ?? 0, record.generation)
            pass.event("Sandbox", record.logicalName, "Normal", "Adopted", "generation \(record.generation) (\(record.name)) already existed: an earlier create took effect")
            result.succeeded.append("adopt sandbox \(record.name)")
        case .generationTaken(let logical, let generation, let actual, let ours):
            pass.changes.settledIntents.append(actual)
            pass.history[logical, default: LogicalHistory()].lastGeneration = max(pass.history[logical]?.lastGeneration ?? 0, generation)
            if !ours {
                pass.event("Sandbox", logical, "Warning", "NameConflict", "the name \(actual) belongs to a sandbox porter-fleet does not own; the next generation is used")
            }
            result.deferred.append("create sandbox \(actual): the name is taken; the next pass uses generation \(generation + 1)")
        case .terminated(let logical, let actual, let reason):
            let orphan = reason == "no longer desired"
            pass.event("Sandbox", logical, "Normal", orphan ? "OrphanTerminated" : "Replaced", "terminated \(actual): \(reason)")
            result.succeeded.append("terminate sandbox \(actual)")
        case .maybeDone(let logical, let summary, let error):
            pass.event("Sandbox", logical, "Warning", "APIError", "\(summary) may have taken effect (\(error)); settled by name on the next pass")
            result.failed.append("\(logical)|\(summary): \(error)")
        case .failed(let key, let logical, let summary, let error):
            let failures = (apiBackoff[key]?.failures ?? 0) + 1
            let delay = min(300, pow(2, Double(failures - 1))) * Double.random(in: 0.8...1.2)
            apiBackoff[key] = (failures, clock().addingTimeInterval(delay))
            pass.event("Sandbox", logical, "Warning", "APIError", "\(summary) failed: \(error)")
            result.failed.append("\(logical)|\(summary): \(error)")
        }
    }

    func key(of logicalName: String) -> String { "sandbox/\(logicalName)" }

    /// Runs one volume action in order (volumes come before the sandboxes that mount them).
    func executeVolume(_ action: PlannedAction, pass: inout ReconcilePass, result: inout ReconcileResult, now: Date) async {
        let policies = Dictionary(pass.desired.volumes.map { ($0.logicalName, ($0.spec.deletionPolicy ?? .retain).rawValue) }, uniquingKeysWith: { a, _ in a })
        do {
            switch action {
            case .createVolume(let logical, let actual):
                try checkFencing()
                try store.recordIntent(CreateIntent(actualName: actual, kind: "volume", logicalName: logical, generation: 0, createdAt: now))
                let volume = try await call { try await backend.createVolume(name: actual) }
                pass.changes.ownedVolumes.append(
                    OwnedVolume(logicalName: logical, volumeID: volume.id, actualName: actual, adopted: false, deletionPolicy: policies[logical] ?? "retain", createdAt: now))
                pass.changes.settledIntents.append(actual)
                pass.event("Volume", logical, "Normal", "VolumeCreated", "created volume \(actual) (\(volume.id))")
            case .adoptVolume(let logical, let id, let actual, let adopted):
                pass.changes.ownedVolumes.append(
                    OwnedVolume(logicalName: logical, volumeID: id, actualName: actual, adopted: adopted, deletionPolicy: policies[logical] ?? "retain", createdAt: now))
                pass.changes.settledIntents.append(actual)
                pass.event("Volume", logical, "Normal", adopted ? "VolumeAdopted" : "VolumeCreated",
                    adopted ? "adopted the existing volume \(actual) (\(id))" : "volume \(actual) (\(id)) was created by an earlier pass")
            case .deleteVolume(let logical, let id):
                try checkFencing()
                try await call { try await backend.deleteVolume(id: id) }
                pass.changes.releasedVolumes.append(logical)
                pass.event("Volume", logical, "Normal", "VolumeDeleted", "deleted volume \(id) (deletion_policy: delete)")
            case .releaseVolume(let logical, _):
                pass.changes.releasedVolumes.append(logical)
            default:
                return
            }
            result.succeeded.append(action.summary)
        } catch {
            pass.event("Volume", volumeName(of: action), "Warning", "APIError", "\(action.summary) failed: \(error)")
            result.failed.append("\(volumeName(of: action))|\(action.summary): \(error)")
        }
    }

    private func volumeName(of action: PlannedAction) -> String {
        switch action {
        case .createVolume(let logical, _), .adoptVolume(let logical, _, _, _), .deleteVolume(let logical, _), .releaseVolume(let logical, _): logical
        default: ""
        }
    }
}
