import FleetModel
import FleetReconciler
import FleetStore
import FleetTestSupport
import Foundation
import PorterSandbox

/// The operations of the state machine's steps, each recorded in the trace with what it did.
extension FleetStateMachine {
    func note(_ text: String) { trace.record(step: step, text) }

    func applyRandomDesiredState(to fleet: MachineFleet) async throws {
        let (text, summary) = RandomManifests(names: fleet.names, random: random).desiredState()
        do {
            _ = try await fleet.store.apply(try RandomManifests.manifests(text), sources: ["fleet.yaml"], prune: true, dryRun: false)
            note("\(fleet.title) applies \(summary)")
        } catch {
            note("\(fleet.title) applies \(summary): refused, \(error)")
        }
    }

    func scaleRandomly(_ fleet: MachineFleet) async throws {
        let replicas = random.int(in: 0...6)
        let outcome = (try? await fleet.store.scale(set: fleet.names.set, replicas: replicas)) == nil ? " (no such set)" : ""
        note("\(fleet.title) scales \(fleet.names.set) to \(replicas)\(outcome)")
    }

    func deleteSomething(_ fleet: MachineFleet) async throws {
        let resources = try await fleet.store.resources(kind: nil)
        guard !resources.isEmpty else { return note("\(fleet.title) has nothing to delete") }
        let victim = resources[random.int(in: 0...(resources.count - 1))]
        _ = try? await fleet.store.delete(kind: victim.kind, names: [victim.name])
        note("\(fleet.title) deletes \(victim.kind.rawValue)/\(victim.name)")
    }

    /// A sandbox of some fleet ends by its workload's doing: it fails or exits 0.
    func endSomethingOutOfBand() {
        let live = api.allSandboxes.filter { $0.logicalName != nil && $0.generation != nil && !$0.phase.isTerminal && bystanders[$0.id] == nil }
        guard !live.isEmpty else { return note("nothing live to end") }
        let victim = live[random.int(in: 0...(live.count - 1))]
        let phase: SandboxPhase = random.chance(0.6) ? .failed : .succeeded
        api.end(name: victim.name, phase: phase, exitCode: phase == .failed ? 1 : 0)
        tally["sandbox ended by its workload", default: 0] += 1
        note("\(victim.name) of \(victim.fleet ?? "?") \(phase.rawValue) (exit code \(phase == .failed ? 1 : 0))")
    }

    func toggleFaults() {
        faults.toggle()
        note("API faults \(faults.isOn ? "on" : "off")")
    }

    /// A controller process dies without giving its lease up, and starts again with no memory.
    func restartAController() {
        let fleet = pickFleet()
        let index = random.int(in: 0...(fleet.writers.count - 1))
        fleet.restartWriter(index)
        tally["controller restarted", default: 0] += 1
        note("\(fleet.title) controller \(fleet.writers[index].holder ?? "0") restarts with no memory")
    }

    /// Time moves on; sandboxes whose TTL ran out end (`ttl_expired`).
    func advanceClock(by seconds: Int) {
        clock.advance(by: Double(seconds))
        let expired = api.expireLifetimes()
        tally["TTL expired", default: 0] += expired.count
        note("\(seconds) s pass\(expired.isEmpty ? "" : "; TTL ran out: \(expired.joined(separator: ", "))")")
    }

    /// The API restarts and loses every live sandbox (`backend_lost`), bystanders included.
    func restartTheAPI() {
        let lost = api.restart()
        for sandbox in api.allSandboxes where bystanders[sandbox.id] != nil { bystanders[sandbox.id] = sandbox.phase }
        tally["API restarted", default: 0] += 1
        note("the API restarts; lost: \(lost.isEmpty ? "nothing" : lost.joined(separator: ", "))")
    }

    /// A pass of one of `fleet`'s writers, at random: a reconcile or a garbage collection, the lease kept
    /// or given up.
    func pass(_ fleet: MachineFleet) async throws {
        _ = try await pass(
            fleet, writer: random.int(in: 0...(fleet.writers.count - 1)), collectingGarbage: random.chance(0.15), givesLeaseUp: random.chance(0.5))
    }

    /// A pass, with the checks that need the moment before and after it: the crash-loop accounting, the
    /// owned-volume records, and agreement with what `status` answers: after `status` said in sync, a pass
    /// makes no mutating call and says it converged; after a pass said it converged, `status` says in sync.
    @discardableResult
    func pass(_ fleet: MachineFleet, writer: Int, collectingGarbage: Bool, givesLeaseUp: Bool, options: ControllerOptions? = nil) async throws
        -> ReconcileResult?
    {
        crashLoops.judgeNewEndings(in: api.allSandboxes)
        let before = try await reconcilerState(of: fleet)
        let answerBefore = await statusAnswer(of: fleet)
        let mutatingCallsBefore = mutatingCalls
        let createsBefore = api.calls(.create) + api.calls(.createVolume)
        let hadFaults = faults.isOn
        let attempt = await fleet.pass(by: writer, collectingGarbage: collectingGarbage, options: options, givesLeaseUp: givesLeaseUp)
        let who = "\(fleet.title) \(fleet.writers[writer].holder ?? "controller")\(collectingGarbage ? " gc" : "")"
        switch attempt {
        case .refused:
            tally["pass refused: lease held", default: 0] += 1
            note("\(who): refused, the lease is held")
            return nil
        case .failed(let error):
            tally["pass failed", default: 0] += 1
            note("\(who): the pass failed: \(error)")
            return nil
        case .done(let result):
            tally["pass", default: 0] += 1
            note("\(who): \(Self.describe(result))")
            let after = try await reconcilerState(of: fleet)
            let sandboxes = api.allSandboxes
            crashLoops.judgeNewEndings(in: sandboxes)
            for violation in crashLoops.violations(fleet: fleet.fleetID, before: before, after: after, sandboxes: sandboxes) { fail(violation) }
            tally["crash-loop count rose", default: 0] += after.statuses.values.filter { $0.failureCount > (before.statuses[$0.logicalName]?.failureCount ?? 0) }.count
            checkOwnedVolumeRecords(of: fleet, in: after)
            if collectingGarbage, api.calls(.create) + api.calls(.createVolume) > createsBefore {
                fail("\(fleet.title): a gc pass created: \(Self.describe(result))")
            }
            if answerBefore?.isInSync == true { tally["pass after status said in sync", default: 0] += 1 }
            if result.converged { tally["pass converged", default: 0] += 1 }
            if let answerBefore, answerBefore.isInSync {
                let calls = mutatingCalls - mutatingCallsBefore
                if calls > 0 || !result.converged {
                    fail(
                        "\(fleet.title): status answered in sync, then a pass (faults \(hadFaults ? "on" : "off")) made \(calls) mutating call(s) "
                            + "and said converged \(result.converged): \(Self.describe(result))")
                }
            }
            if result.converged, let answer = await statusAnswer(of: fleet), !answer.isInSync {
                fail("\(fleet.title): a pass said it converged, then status answered not in sync: \(answer.actions.map(\.summary) + answer.waitingOn)")
            }
            passedThisStep = fleet
            return result
        }
    }

    /// What `fleet`'s store remembers for the reconciler, read again only when its revision moved.
    func reconcilerState(of fleet: MachineFleet) async throws -> ReconcilerState {
        let revision = try await fleet.store.reconcilerRevision()
        if let cached = reconcilerStates[fleet.label], cached.store === fleet.store, cached.revision == revision { return cached.state }
        let state = try await fleet.store.reconcilerState()
        reconcilerStates[fleet.label] = (fleet.store, revision, state)
        return state
    }

    /// The mutating calls made on the API so far.
    var mutatingCalls: Int { [FakeSandboxBackend.Call.create, .terminate, .createVolume, .deleteVolume].reduce(0) { $0 + api.calls($1) } }

    static func describe(_ result: ReconcileResult) -> String {
        var parts: [String] = []
        if !result.succeeded.isEmpty { parts.append(result.succeeded.map(\.summary).joined(separator: "; ")) }
        if !result.failed.isEmpty { parts.append("failed: " + result.failed.map(\.description).joined(separator: "; ")) }
        if !result.deferred.isEmpty { parts.append("deferred: " + result.deferred.joined(separator: "; ")) }
        let waiting = result.plan.waitingOn
        parts.append(result.converged ? "converged" : "not converged\(waiting.isEmpty ? "" : ", waiting on: " + waiting.joined(separator: "; "))")
        return parts.joined(separator: " | ")
    }

    /// A store is lost. A fresh store applies the same manifests: mostly with the old fleet id (`apply
    /// --fleet OLD_ID`), sometimes without it (a new fleet id, as if `--fleet` was forgotten). A fleet
    /// already under a mistaken id is reclaimed instead.
    func loseAStore() async throws {
        let fleet = pickFleet()
        if fleet.mistakenFor != nil { return try await reclaim(fleet) }
        let old = fleet.fleetID
        let naming = await fleet.volumeNaming
        if random.chance(0.7) {
            try await fleet.loseStore(claiming: old, volumeNaming: naming)
            tally["store lost, recovered with its fleet id", default: 0] += 1
            note("\(fleet.label) loses its store; a fresh store claims \(old) and applies the same manifests (volume names \(naming.rawValue))")
        } else {
            fleetIDsMade += 1
            let new = "\(old)-new\(fleetIDsMade)"
            try await fleet.loseStore(claiming: new, volumeNaming: naming)
            tally["store lost, replaced under a new fleet id", default: 0] += 1
            note("\(fleet.label) loses its store; a fresh store without --fleet gets \(new) and applies the same manifests (volume names \(naming.rawValue))")
        }
    }

    func reclaimAMistakenFleet() async throws {
        guard let fleet = fleets.first(where: { $0.mistakenFor != nil }) else { return try await pass(fleets[0]) }
        try await reclaim(fleet)
    }

    /// The operator finds the fleet running under a new id: `delete --all` and passes in that store until
    /// it is empty, then a fresh store claims the original id. Faults are held off meanwhile.
    func reclaim(_ fleet: MachineFleet) async throws {
        let mistaken = fleet.fleetID
        let original = fleet.mistakenFor ?? mistaken
        crashLoops.judgeNewEndings(in: api.allSandboxes)
        let naming = await fleet.volumeNaming
        let cleaned = try await faults.muted { try await fleet.reclaimOriginalID(passes: 20, volumeNaming: naming) }
        tally["mistaken fleet id reclaimed", default: 0] += 1
        note("\(fleet.label): the operator deletes everything of \(mistaken)\(cleaned ? "" : " (its clean-up did not finish)"), then a fresh store claims \(original)")
        if !cleaned { fail("\(fleet.label): the clean-up of \(mistaken) after delete --all did not converge") }
    }

    /// The operator follows what `plan` says of a volume whose name is taken: `adopt: true`.
    func adoptHeldVolumes(of fleet: MachineFleet, held: [String]) async throws {
        let volumes = Set(held.compactMap { line -> String? in
            guard line.hasPrefix("Volume/"), let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 7)..<colon])
        })
        guard !volumes.isEmpty else { return }
        var manifests: [(manifest: Manifest, source: String)] = []
        for resource in try await fleet.store.resources(kind: nil) {
            var manifest = try resource.manifest()
            if case .volume(var spec) = manifest.spec, volumes.contains(manifest.name) {
                spec.adopt = true
                manifest.spec = .volume(spec)
            }
            manifests.append((manifest, resource.source))
        }
        _ = try await fleet.store.apply(manifests, sources: Array(Set(manifests.map(\.source))), prune: false, dryRun: false)
        note("\(fleet.title): the operator sets adopt: true on \(volumes.sorted().joined(separator: ", "))")
    }
}
