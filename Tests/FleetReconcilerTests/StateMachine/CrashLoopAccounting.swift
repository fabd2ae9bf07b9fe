import FleetReconciler
import FleetStore
import Foundation
import PorterSandbox

/// The invariant "backoff only after workload failures": a pass may raise a logical sandbox's crash-loop
/// count only by as many of the generations it settled (tracked before the pass, no longer after) as
/// ended by the workload's own doing. A generation that ran out its TTL (`ttl_expired`), was lost by a
/// restarted API (`backend_lost`), was terminated by porter-fleet (`sdk`), or ended while a newer
/// generation of its logical sandbox was live (superseded) never counts.
///
/// Every ending is judged once, when the state machine first sees the generation terminal, from what
/// the API says and what else was live at that moment: independently of how the controller judges it.
struct CrashLoopAccounting {
    /// How each ended generation ended, by sandbox id.
    private(set) var endings: [String: Ending] = [:]

    /// How a generation ended, as far as crash-loop counting goes.
    struct Ending: CustomStringConvertible {
        var generation: Int
        var phase: SandboxPhase
        var reason: TerminationReason?
        var superseded: Bool

        /// Whether the workload ended it: the only endings a crash-loop count may grow by.
        var countsAsWorkloadFailure: Bool {
            guard !superseded else { return false }
            switch reason {
            case .workloadExited, .launchFailed, nil: return true
            case .ttlExpired, .backendLost, .dashboard, .cli, .sdk, .userTerminated: return false
            }
        }

        var description: String {
            "generation \(generation) \(phase.rawValue) (\(reason?.rawValue ?? "no reason")\(superseded ? ", superseded by a newer live generation" : ""))"
        }
    }

    /// Judges every generation that ended since the last call.
    mutating func judgeNewEndings(in sandboxes: [ObservedSandbox]) {
        let unjudged = sandboxes.filter { endings[$0.id] == nil && $0.phase.isTerminal }
        guard !unjudged.isEmpty else { return }
        let newestLive = Dictionary(grouping: sandboxes.filter { !$0.phase.isTerminal && $0.logicalName != nil }) { "\($0.fleet ?? "")/\($0.logicalName ?? "")" }
            .mapValues { $0.compactMap(\.generation).max() ?? 0 }
        for sandbox in unjudged {
            guard let generation = sandbox.generation else { continue }
            let key = "\(sandbox.fleet ?? "")/\(sandbox.logicalName ?? "")"
            endings[sandbox.id] = Ending(
                generation: generation, phase: sandbox.phase, reason: sandbox.terminationReason, superseded: (newestLive[key] ?? 0) > generation)
        }
    }

    /// The violations of one pass of `fleet`: its reconciler state before and after, and the API's
    /// sandboxes. The generations a pass settles are those it tracked and no longer does, and those of
    /// create intents it settled that had ended before any pass tracked them.
    func violations(fleet: String, before: ReconcilerState, after: ReconcilerState, sandboxes: [ObservedSandbox]) -> [String] {
        let stillTracked = Set(after.trackedSandboxes.map(\.id))
        var settled = Dictionary(grouping: before.trackedSandboxes.filter { !stillTracked.contains($0.id) }.map { ($0.logicalName, $0.id, $0.generation, $0.name) }) { $0.0 }
        let stillPending = Set(after.intents.map(\.actualName))
        let byName = Dictionary(sandboxes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for intent in before.intents where !stillPending.contains(intent.actualName) {
            guard let sandbox = byName[intent.actualName], sandbox.phase.isTerminal, sandbox.fleet == fleet else { continue }
            settled[intent.logicalName, default: []].append((intent.logicalName, sandbox.id, sandbox.generation ?? intent.generation, sandbox.name))
        }
        var found: [String] = []
        for (logical, status) in after.statuses.sorted(by: { $0.key < $1.key }) {
            let rise = status.failureCount - (before.statuses[logical]?.failureCount ?? 0)
            guard rise > 0 else { continue }
            let ended = (settled[logical] ?? []).sorted { $0.2 < $1.2 }
            let workload = ended.filter { endings[$0.1]?.countsAsWorkloadFailure == true }.count
            guard rise > workload else { continue }
            let how = ended.map { endings[$0.1]?.description ?? "generation \($0.2) (\($0.3)) not seen ended" }
            found.append(
                "fleet \(fleet): the crash-loop count of \(logical) rose by \(rise) to \(status.failureCount) in one pass, "
                    + "but only \(workload) of the generations it settled ended by the workload: \(how.isEmpty ? "none settled" : how.joined(separator: "; "))")
        }
        return found
    }
}
