import FleetModel
import FleetStore
import Foundation

/// What judging an ended generation needs from its pass: the restart policy of each logical sandbox, and
/// which generations were there when it ended. A generation that ends while a newer one of its logical
/// sandbox exists was superseded (porter-fleet was replacing it), whenever a pass gets to see it: even if
/// the newer one has ended since, and whichever of the two the pass looks at first.
struct EndingContext {
    let policies: [String: RestartPolicy]
    /// The newest live generation of each logical sandbox.
    private let liveGenerations: [String: Int]
    /// The generations this fleet tracked, by logical name: when each was created and, for one that ended,
    /// when (nil: still live).
    private let lifetimes: [String: [(generation: Int, createdAt: Date, finishedAt: Date?)]]

    /// The context of `pass`, whose tracked sandboxes in `ended` have left the live list (observed by id,
    /// nil when the API no longer has one).
    init(_ pass: ReconcilePass, ended: [(record: ActualSandboxRecord, observed: ObservedSandbox?)] = []) {
        liveGenerations = Dictionary(grouping: pass.live.compactMap { sandbox in sandbox.logicalName.map { ($0, sandbox.generation ?? 0) } }) { $0.0 }
            .mapValues { $0.map(\.1).max() ?? 0 }
        policies = Dictionary(pass.desired.sandboxes.map { ($0.logicalName, $0.template.effectiveRestartPolicy) }, uniquingKeysWith: { a, _ in a })
        let endedAt = Dictionary(ended.map { ($0.record.id, $0.observed?.finishedAt ?? pass.now) }, uniquingKeysWith: { first, _ in first })
        lifetimes = Dictionary(grouping: pass.state.trackedSandboxes, by: \.logicalName).mapValues { records in
            records.map { (generation: $0.generation, createdAt: $0.createdAt, finishedAt: endedAt[$0.id]) }
        }
    }

    /// Whether a newer generation of `record`'s logical sandbox was live when it finished.
    func wasSuperseded(_ record: ActualSandboxRecord, finishedAt: Date) -> Bool {
        if (liveGenerations[record.logicalName] ?? 0) > record.generation { return true }
        return (lifetimes[record.logicalName] ?? []).contains { newer in
            newer.generation > record.generation && newer.createdAt <= finishedAt && (newer.finishedAt.map { $0 >= finishedAt } ?? true)
        }
    }
}
