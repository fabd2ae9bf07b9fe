import FleetModel
import FleetStore

/// The observed columns of `get` for one desired resource, from what the reconciler recorded: a
/// Sandbox's own status; a SandboxSet's members summed up (synced only when every member is, the
/// least healthy member's health, the phase when all members share it); a Volume synced once
/// porter-fleet owns it. Nothing recorded yet (no pass since it was applied): all null.
extension ObservedStatus {
    init(_ resource: DesiredResource, statuses: [String: [LogicalSandboxStatus]], ownedVolumes: [String: OwnedVolume]) throws {
        self.init()
        switch resource.kind {
        case .volume:
            if let owned = ownedVolumes[resource.name], owned.retainedAt == nil {
                sync = SyncStatus.synced.rawValue
                actualName = owned.actualName
            }
        case .sandbox:
            guard let status = statuses[resource.key]?.first else { return }
            sync = status.sync.rawValue
            health = status.health.rawValue
            phase = status.phase
            generation = status.generation
            actualName = status.actualName
        case .sandboxSet:
            try summarize(members: statuses[resource.key] ?? [], of: resource)
        }
    }

    private mutating func summarize(members: [LogicalSandboxStatus], of resource: DesiredResource) throws {
        guard !members.isEmpty else { return }
        let replicas = LogicalNameClaim(try resource.manifest()).names.count
        let allSynced = members.count == replicas && members.allSatisfy { $0.sync == .synced }
        sync = (allSynced ? SyncStatus.synced : .outOfSync).rawValue
        health = members.map(\.health).max { $0.severity < $1.severity }?.rawValue
        let phases = Set(members.compactMap(\.phase))
        phase = phases.count == 1 ? phases.first : nil
    }
}

extension HealthStatus {
    /// How much attention it needs, for summing a set up by its least healthy member.
    var severity: Int {
        switch self {
        case .completed: 0
        case .healthy: 1
        case .progressing: 2
        case .missing: 3
        case .backoff: 4
        case .degraded: 5
        }
    }
}
