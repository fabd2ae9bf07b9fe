import Foundation

/// Everything a store holds but its lease: what `store copy` moves between engines. The lease stays
/// behind on purpose: a copy is a new store, and no controller holds it yet.
public struct StoreSnapshot: Sendable, Equatable {
    /// Every setting, by key (`fleet_id`, `name_prefix`).
    public var settings: [String: String]
    /// The desired-state revision.
    public var revision: Int64
    /// The revision of a standing `delete --all`, if any.
    public var pruneAllRequestedRevision: Int64?
    /// Every desired resource, by kind then name.
    public var resources: [DesiredResource]
    /// The reconciler revision.
    public var reconcilerRevision: Int64
    /// Every actual sandbox the reconciler has recorded, tracked or not, by name.
    public var sandboxes: [ActualSandboxRecord]
    /// Every logical sandbox status, by name.
    public var statuses: [LogicalSandboxStatus]
    /// Creates recorded and not yet settled, by actual name.
    public var intents: [CreateIntent]
    /// Volumes the fleet owns or retains, by logical name.
    public var volumes: [OwnedVolume]
    /// Events, oldest first, with their ids.
    public var events: [FleetEvent]
    /// Recorded specs, by hash.
    public var specs: [RecordedSpec]

    /// A snapshot of these parts.
    public init(
        settings: [String: String], revision: Int64, pruneAllRequestedRevision: Int64?, resources: [DesiredResource], reconcilerRevision: Int64,
        sandboxes: [ActualSandboxRecord], statuses: [LogicalSandboxStatus], intents: [CreateIntent], volumes: [OwnedVolume], events: [FleetEvent],
        specs: [RecordedSpec] = []
    ) {
        self.settings = settings
        self.revision = revision
        self.pruneAllRequestedRevision = pruneAllRequestedRevision
        self.resources = resources
        self.reconcilerRevision = reconcilerRevision
        self.sandboxes = sandboxes
        self.statuses = statuses
        self.intents = intents
        self.volumes = volumes
        self.events = events
        self.specs = specs
    }

    /// Whether the store holds nothing worth keeping: no desired resource, reconciler record or event
    /// (a fleet id alone, as a new store claims, does not count).
    public var isEmpty: Bool {
        resources.isEmpty && sandboxes.isEmpty && statuses.isEmpty && intents.isEmpty && volumes.isEmpty && events.isEmpty
    }

    /// The same snapshot in a canonical order, so that two engines' snapshots compare equal.
    public var normalized: StoreSnapshot {
        var copy = self
        copy.resources.sort { ($0.kind, $0.name) < ($1.kind, $1.name) }
        copy.sandboxes.sort { $0.name < $1.name }
        copy.statuses.sort { $0.logicalName < $1.logicalName }
        copy.intents.sort { $0.actualName < $1.actualName }
        copy.volumes.sort { $0.logicalName < $1.logicalName }
        copy.events.sort { ($0.id ?? 0) < ($1.id ?? 0) }
        copy.specs.sort { $0.specHash < $1.specHash }
        return copy
    }
}
