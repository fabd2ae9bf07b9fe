import FleetModel
import FleetStore
import Foundation
import PorterSandbox

/// The per-logical-sandbox rules of a plan (docs/reconcile-rules.md, rules 1–6), with the fleet-wide
/// state they share: live generations by logical name, the replacements in flight against the surge
/// limit, and create requests built once per owner.
struct SandboxPlanning {
    let input: PlannerInput
    let volumeIDs: [String: String]
    /// This fleet's live sandboxes by logical name.
    let liveByLogical: [String: [ObservedSandbox]]
    /// Replacements in flight at most.
    let surgeLimit: Int
    /// Replacements in flight now (logical sandboxes with more than one live generation).
    var replacementsInFlight: Int
    /// Members of a set share their request: built and hashed once per owner.
    var requestCache: [String: (base: SandboxSpec, hash: String)] = [:]

    init(input: PlannerInput, volumeIDs: [String: String]) {
        self.input = input
        self.volumeIDs = volumeIDs
        let live = Dictionary(grouping: input.live.filter { $0.isOwned(by: input.desired.fleetID) }) { $0.logicalName ?? "" }
        liveByLogical = live
        surgeLimit = input.maxSurge ?? max(1, input.desired.sandboxes.count / 4)
        replacementsInFlight = input.desired.sandboxes.filter { (live[$0.logicalName]?.count ?? 0) > 1 }.count
    }

    /// Plans one logical sandbox: its status, and the create or terminate actions it needs.
    mutating func plan(_ sandbox: DesiredSandbox, into plan: inout Plan) {
        let live = liveByLogical[sandbox.logicalName] ?? []
        let generations = live.count < 2 ? live : live.sorted { ($0.generation ?? 0) > ($1.generation ?? 0) }
        var status = initialStatus(sandbox, newest: generations.first)
        defer { plan.statuses.append(status) }
        guard let (base, hash) = request(for: sandbox, status: &status, hasGenerations: !generations.isEmpty) else { return }
        let creator = Creator(input: input, sandbox: sandbox, base: base, hash: hash, generations: generations)
        if generations.count == 1, let only = generations.first, only.phase == .running, matches(only, base: base, hash: hash) {
            status.sync = .synced
            status.health = .healthy
            planRotation(of: only, sandbox: sandbox, creator: creator, status: &status, into: &plan)
            return
        }
        if generations.isEmpty {
            planWithoutGeneration(sandbox, creator: creator, status: &status, into: &plan)
        } else if let keep = keptGeneration(generations, of: sandbox, base: base, hash: hash) {
            planKeeping(keep, of: generations, sandbox: sandbox, hash: hash, status: &status, into: &plan)
        } else if generations.count > 1 {
            planOvertakenReplacement(of: generations, status: &status, into: &plan)
        } else {
            planReplacement(of: generations[0], creator: creator, hash: hash, status: &status, into: &plan)
        }
    }

    /// The status before the rules: history, and the newest live generation.
    private func initialStatus(_ sandbox: DesiredSandbox, newest: ObservedSandbox?) -> LogicalSandboxStatus {
        let history = input.history[sandbox.logicalName] ?? LogicalHistory()
        var status = LogicalSandboxStatus(
            logicalName: sandbox.logicalName, owner: sandbox.owner, lastGeneration: history.lastGeneration, failureCount: history.failureCount,
            backoffUntil: history.backoffUntil, lastTransitionAt: input.now)
        if let newest { status.show(newest) }
        return status
    }

    /// The create request without our tags, and its spec hash; nil (with the status saying why) while a
    /// volume it mounts does not exist yet.
    private mutating func request(for sandbox: DesiredSandbox, status: inout LogicalSandboxStatus, hasGenerations: Bool)
        -> (SandboxSpec, String)?
    {
        let missingVolumes = (sandbox.template.volumeMounts ?? [:]).values.filter { volumeIDs[$0] == nil }.sorted()
        let cached = requestCache[sandbox.owner]
        guard missingVolumes.isEmpty, let base = cached?.base ?? CreateRequest.base(sandbox, volumeIDs: volumeIDs) else {
            status.health = hasGenerations ? .degraded : .progressing
            status.message = "waiting for volume \(missingVolumes.joined(separator: ", "))"
            return nil
        }
        let hash = cached?.hash ?? CreateRequest.specHash(base)
        if cached == nil { requestCache[sandbox.owner] = (base, hash) }
        return (base, hash)
    }

    private func matches(_ generation: ObservedSandbox, base: SandboxSpec, hash: String) -> Bool {
        generation.specHash == hash && !Planner.visiblyDrifted(generation, from: base)
    }

    /// The generation to keep among several: a matching one not due for TTL rotation before one that is,
    /// running if any is.
    private func keptGeneration(_ generations: [ObservedSandbox], of sandbox: DesiredSandbox, base: SandboxSpec, hash: String) -> ObservedSandbox? {
        let matching = generations.filter { matches($0, base: base, hash: hash) }
        let lasting = matching.filter { !TTLRotation.isDue($0, template: sandbox.template, now: input.now) }
        return lasting.first(where: { $0.phase == .running }) ?? lasting.first ?? matching.first(where: { $0.phase == .running }) ?? matching.first
    }

    /// TTL rotation of the one running generation: its successor is created once it is due
    /// (``TTLRotation``), and a pass is asked for when it will be.
    private func planRotation(
        of current: ObservedSandbox, sandbox: DesiredSandbox, creator: Creator, status: inout LogicalSandboxStatus, into plan: inout Plan
    ) {
        guard let rotateAt = TTLRotation.rotateAt(current, template: sandbox.template) else { return }
        guard input.now >= rotateAt else {
            plan.requeueAt = min(plan.requeueAt ?? rotateAt, rotateAt)
            return
        }
        let generation = current.generation ?? 0
        // A successor that failed to start backs off like any crash loop; the current one serves meanwhile.
        let history = input.history[sandbox.logicalName] ?? LogicalHistory()
        if let outcome = history.lastOutcome, outcome.generation > generation, history.holdsBack(creator.hash, at: input.now),
            let until = history.backoffUntil
        {
            status.message = "generation \(outcome.generation), started ahead of generation \(generation)'s TTL, failed; next attempt at \(RFC3339DateTranscoder.format(until))"
            plan.requeueAt = min(plan.requeueAt ?? until, until)
            return
        }
        let reason = CreateReason.rotateBeforeTTL(generation: generation)
        plan.actions.append(creator.create(reason))
        status.message = "starting the next generation: \(reason)"
    }

    /// Rules 1, 5 and 6: nothing live. Finished for its restart policy, backing off, or create the next.
    /// The backoff holds only when the generation that just ended was of the failing spec: a healthy old
    /// generation of a previous spec that died is replaced at once, even during a failed rollout.
    private func planWithoutGeneration(_ sandbox: DesiredSandbox, creator: Creator, status: inout LogicalSandboxStatus, into plan: inout Plan) {
        let history = input.history[sandbox.logicalName] ?? LogicalHistory()
        let policy = sandbox.template.effectiveRestartPolicy
        let lastWasFailingSpec = history.lastOutcome.map { $0.specHash == nil || $0.specHash == creator.hash } ?? true
        if let outcome = history.lastOutcome, outcome.completes(under: policy) {
            status.sync = .synced
            status.health = .completed
            status.phase = outcome.phase.rawValue
            status.generation = outcome.generation
            status.message = "generation \(outcome.generation) \(outcome.phase.rawValue); restart_policy \(policy.rawValue)"
        } else if let other = input.liveInOtherFleets[sandbox.logicalName] {
            holdForOtherFleet(sandbox, other: other, status: &status, into: &plan)
        } else if lastWasFailingSpec, history.holdsBack(creator.hash, at: input.now), let until = history.backoffUntil {
            status.health = .backoff
            status.message = "crash-loop backoff after \(history.failureCount) failures; next attempt at \(RFC3339DateTranscoder.format(until))"
            plan.requeueAt = min(plan.requeueAt ?? until, until)
        } else {
            let reason: CreateReason =
                history.lastOutcome.map { .previousEnded(generation: $0.generation, phase: $0.phase, reason: $0.reason) }
                ?? (history.lastGeneration == 0 ? .notCreatedYet : .noLiveGeneration)
            plan.actions.append(creator.create(reason))
            status.health = .missing
            status.message = reason.description
        }
    }

    /// Another fleet runs this logical sandbox under this fleet's names: creating it would run it twice.
    /// Held, with the command that recovers a lost store.
    private func holdForOtherFleet(_ sandbox: DesiredSandbox, other: ObservedSandbox, status: inout LogicalSandboxStatus, into plan: inout Plan) {
        let fleet = other.fleet ?? "?"
        let message = "\(other.name) of fleet \(fleet) runs this logical sandbox under this fleet's names; nothing is created. "
            + "If this store replaces that fleet's lost store, claim its id: porter-fleet apply --fleet \(fleet) -f …; "
            + "to run a second fleet beside it, give this store a name prefix (porter-fleet fleets lists the fleets on the API)"
        status.health = .missing
        status.message = message
        plan.held.append("\(sandbox.owner): \(message)")
        plan.events.append(PlannedEvent(kind: .sandbox, name: sandbox.logicalName, type: .warning, reason: .otherFleetLive, message: message))
    }

    /// Rules 2 and 4: a matching generation is kept; once it runs, every other generation is terminated.
    private mutating func planKeeping(
        _ keep: ObservedSandbox, of generations: [ObservedSandbox], sandbox: DesiredSandbox, hash: String, status: inout LogicalSandboxStatus,
        into plan: inout Plan
    ) {
        let others = generations.filter { $0.id != keep.id }
        let rotating = others.filter { $0.specHash == hash && TTLRotation.isDue($0, template: sandbox.template, now: input.now) }
        status.show(keep)
        let kept = keep.generation ?? 0
        if others.isEmpty {
            status.sync = .synced
            status.health = keep.phase == .running ? .healthy : .progressing
            status.message = keep.phase == .running ? "" : "generation \(kept) is \(keep.phase.rawValue)"
        } else if keep.phase == .running {
            // The slot of this replacement is freed once the old generation is gone (the next pass), not
            // now: if this terminate fails, the surge limit still holds.
            for other in others {
                let reason: TerminateReason =
                    rotating.contains(where: { $0.id == other.id }) ? .rotated(by: kept) : other.specHash == hash ? .duplicate(of: kept) : .replaced(by: kept)
                plan.actions.append(.terminateSandbox(id: other.id, actualName: other.name, logicalName: keep.logicalName ?? "", reason: reason))
            }
            status.sync = .synced
            status.health = .healthy
            status.message = "terminating \(others.count) older generation(s)"
        } else if let serving = rotating.first(where: { $0.phase == .running }) {
            // A TTL rotation: the old generation serves until its successor runs.
            status.show(serving)
            status.sync = .synced
            status.health = .healthy
            status.message = "generation \(kept) is \(keep.phase.rawValue), ahead of generation \(serving.generation ?? 0)'s TTL"
            let soon = input.now.addingTimeInterval(1)
            plan.requeueAt = min(plan.requeueAt ?? soon, soon)
        } else {
            status.health = .progressing
            status.message = "generation \(kept) is \(keep.phase.rawValue); the old generation runs until it is running"
        }
    }

    /// Rule 4 when no live generation has the desired spec: a replacement was in flight when the spec
    /// changed again. The newest running generation is kept and the others terminated; the next pass
    /// replaces the kept one (create before destroy, within the surge limit). Waiting for the surge limit
    /// instead would wait on the slot this very sandbox holds, and creating now would make three live.
    private func planOvertakenReplacement(of generations: [ObservedSandbox], status: inout LogicalSandboxStatus, into plan: inout Plan) {
        let keep = generations.first { $0.phase == .running } ?? generations[0]
        let kept = keep.generation ?? 0
        status.show(keep)
        for other in generations where other.id != keep.id {
            plan.actions.append(.terminateSandbox(id: other.id, actualName: other.name, logicalName: keep.logicalName ?? "", reason: .outdated(keeping: kept)))
        }
        status.health = .progressing
        status.message = "no live generation has the desired spec; keeping generation \(kept) until its replacement runs"
    }

    /// Rule 3: every live generation differs from the desired spec. Replace it, create before destroy,
    /// within the surge limit; after a failed replacement, keep the old one and back off.
    private mutating func planReplacement(
        of current: ObservedSandbox, creator: Creator, hash: String, status: inout LogicalSandboxStatus, into plan: inout Plan
    ) {
        let history = input.history[current.logicalName ?? ""] ?? LogicalHistory()
        let generation = current.generation ?? 0
        if let outcome = history.lastOutcome, outcome.generation > generation, history.holdsBack(hash, at: input.now),
            let until = history.backoffUntil
        {
            status.health = .degraded
            status.message = "replacement generation \(outcome.generation) failed; generation \(generation) keeps running; next attempt at \(RFC3339DateTranscoder.format(until))"
            plan.requeueAt = min(plan.requeueAt ?? until, until)
        } else if replacementsInFlight < surgeLimit {
            replacementsInFlight += 1
            let why = current.specHash != hash ? "spec hash \(current.specHash ?? "none") → \(hash)" : "visible fields drifted"
            plan.events.append(PlannedEvent(kind: .sandbox, name: current.logicalName ?? "", reason: .drift, message: "generation \(generation): \(why)"))
            plan.actions.append(creator.create(.replaceDrifted(generation: generation)))
            status.health = .progressing
            status.message = "replacing generation \(generation) (\(why))"
        } else {
            status.health = .progressing
            status.message = "replacement waits for max_surge (\(surgeLimit) in flight)"
        }
    }

    /// Builds the create of the next generation (or of a recorded create that never happened, under its name).
    struct Creator {
        let input: PlannerInput
        let sandbox: DesiredSandbox
        let base: SandboxSpec
        let hash: String
        let generations: [ObservedSandbox]

        func create(_ reason: CreateReason) -> PlannedAction {
            let name = sandbox.logicalName
            let history = input.history[name] ?? LogicalHistory()
            let next = max(history.lastGeneration, generations.compactMap(\.generation).max() ?? 0) + 1
            let retry = input.retryIntents[name]
            let generation = retry?.generation ?? next
            let actual = retry?.actualName ?? input.desired.actualSandboxName(name, generation: generation)
            let spec = CreateRequest.full(base, fleet: input.desired.fleetID, logicalName: name, generation: generation, actualName: actual, specHash: hash)
            return .createSandbox(logicalName: name, generation: generation, actualName: actual, spec: spec, specHash: hash, reason: reason)
        }
    }
}

extension LogicalSandboxStatus {
    /// Shows `generation` as the current one.
    mutating func show(_ generation: ObservedSandbox) {
        phase = generation.phase.rawValue
        self.generation = generation.generation
        actualID = generation.id
        actualName = generation.name
    }
}
