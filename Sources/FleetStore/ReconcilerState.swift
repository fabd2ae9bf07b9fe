import Foundation

/// What the reconciler keeps between passes, read in one go.
public struct ReconcilerState: Sendable, Equatable {
    /// Actual sandboxes still watched (live when last seen).
    public var trackedSandboxes: [ActualSandboxRecord]
    /// Status by logical name.
    public var statuses: [String: LogicalSandboxStatus]
    /// Creates recorded but not yet settled.
    public var intents: [CreateIntent]
    /// Volumes porter-fleet owns, by logical name.
    public var ownedVolumes: [String: OwnedVolume]
    /// The record of each logical sandbox whose newest generation has ended (is no longer tracked), by
    /// logical name. A newest generation still live is among ``trackedSandboxes``, so a fleet of 10,000
    /// live sandboxes holds its records once.
    public var newestEnded: [String: ActualSandboxRecord]

    /// The state read from a store.
    public init(
        trackedSandboxes: [ActualSandboxRecord], statuses: [String: LogicalSandboxStatus], intents: [CreateIntent],
        ownedVolumes: [String: OwnedVolume], newestEnded: [String: ActualSandboxRecord]
    ) {
        self.trackedSandboxes = trackedSandboxes
        self.statuses = statuses
        self.intents = intents
        self.ownedVolumes = ownedVolumes
        self.newestEnded = newestEnded
    }

    /// The newest generation's record of each logical sandbox: tracked or ended.
    public var newestSandboxes: [String: ActualSandboxRecord] {
        var newest = newestEnded
        for record in trackedSandboxes where (newest[record.logicalName]?.generation ?? Int.min) < record.generation {
            newest[record.logicalName] = record
        }
        return newest
    }
}

/// Everything one reconcile pass changes, written in one transaction (nothing for a no-op pass).
public struct ReconcilerChanges: Sendable, Equatable {
    /// Actual sandbox records to insert or replace.
    public var sandboxes: [ActualSandboxRecord] = []
    /// Statuses to insert or replace.
    public var statuses: [LogicalSandboxStatus] = []
    /// Statuses of logical sandboxes no longer desired and gone.
    public var removedStatuses: [String] = []
    /// Intents settled (by actual name).
    public var settledIntents: [String] = []
    /// Volumes now owned.
    public var ownedVolumes: [OwnedVolume] = []
    /// Volumes no longer owned (deleted or retained and forgotten), by logical name.
    public var releasedVolumes: [String] = []
    /// Events that happened.
    public var events: [FleetEvent] = []
    /// What new spec hashes were created from (a hash already recorded keeps its first document).
    public var specs: [RecordedSpec] = []

    /// Creates an empty set of changes.
    public init() {}

    /// Whether the pass changed nothing.
    public var isEmpty: Bool { self == ReconcilerChanges() }
}
