import FleetModel
import FleetReconciler
import PorterSandbox

/// The invariant "no completed job is run again": once every generation of a job (a logical sandbox with
/// `restart_policy: never` or `on_failure`) of a fleet id has ended and the newest ended in a way that
/// completes the run under its policy, no further generation of it may be created under that fleet id,
/// whichever store holds the id (a store recovered with `apply --fleet` included). A fleet under a new
/// id is another fleet and may run it.
///
/// The rule is restated here, not borrowed from the controller: `never` takes any end as final;
/// `on_failure` a success, or a termination that was not the API losing or failing to launch it.
struct JobLedger {
    /// The restart policy of each job's logical name (the state machine never changes a name's policy).
    let policies: [String: RestartPolicy]
    /// Completed jobs, by fleet and logical name: the generation that completed them.
    private var completed: [String: ObservedSandbox] = [:]
    /// Ids of sandboxes already seen.
    private var seen: Set<String> = []
    /// How many times a job was found complete.
    private(set) var completions = 0

    init(policies: [String: RestartPolicy]) { self.policies = policies }

    /// Checks the sandboxes that appeared since the last call, then notes which jobs are complete now.
    mutating func violations(in sandboxes: [ObservedSandbox]) -> [String] {
        var found: [String] = []
        for sandbox in sandboxes where !seen.contains(sandbox.id) {
            seen.insert(sandbox.id)
            guard let fleet = sandbox.fleet, let logical = sandbox.logicalName, let done = completed["\(fleet)/\(logical)"] else { continue }
            found.append(
                "job \(logical) of fleet \(fleet) was run again: generation \(sandbox.generation ?? 0) (\(sandbox.name)) was created after "
                    + "generation \(done.generation ?? 0) (\(done.name)) completed it (\(done.phase.rawValue), \(done.terminationReason?.rawValue ?? "no reason"))")
        }
        let jobs = Dictionary(grouping: sandboxes.filter { $0.logicalName.map { policies[$0] != nil } ?? false }) { "\($0.fleet ?? "")/\($0.logicalName ?? "")" }
        for (key, generations) in jobs {
            guard generations.allSatisfy(\.phase.isTerminal), let newest = generations.max(by: { ($0.generation ?? 0) < ($1.generation ?? 0) }),
                let policy = newest.logicalName.flatMap({ policies[$0] }), Self.completes(newest, under: policy)
            else {
                completed[key] = nil
                continue
            }
            if completed[key]?.id != newest.id { completions += 1 }
            completed[key] = newest
        }
        return found
    }

    static func completes(_ generation: ObservedSandbox, under policy: RestartPolicy) -> Bool {
        switch policy {
        case .always: false
        case .never: true
        case .onFailure:
            generation.phase == .succeeded
                || (generation.phase == .terminated && generation.terminationReason != .backendLost && generation.terminationReason != .launchFailed)
        }
    }
}
