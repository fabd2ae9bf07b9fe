import FleetModel
import Foundation

/// The desired-state store as the CLI and the controller use it: one contract, several engines. The
/// embedded engine is `SQLiteFleetStore` (module `FleetStoreSQLite`); only the commands choose one.
///
/// Every method that writes is one transaction: all of it happens or none of it does. Methods are
/// `async` so that an engine that talks to a server (PostgreSQL) suspends instead of blocking; an
/// embedded engine may implement them synchronously.
public protocol FleetStore: AnyObject, Sendable {
    /// Where the store is, for people (a file path; never a password).
    var location: String { get }

    // MARK: Desired state

    /// The fleet id and the name prefix of actual sandboxes.
    func settings() async throws -> FleetSettings
    /// The desired-state revision: it grows with every change to the desired state.
    func revision() async throws -> Int64
    /// The revision at which `delete --all` asked to prune everything, while no apply has withdrawn it.
    func pruneAllRequestedRevision() async throws -> Int64?
    /// The desired-state revision, the prune-all request and the reconciler revision, read together: all a
    /// pass with nothing to do reads from the store.
    func revisions() async throws -> StoreRevisions
    /// The desired resources, of one kind or all, by kind then name.
    func resources(kind: ResourceKind?) async throws -> [DesiredResource]
    /// Records the fleet id on first use and returns the store's id: `fleetID` when given (refused when the
    /// store already belongs to another fleet), else the recorded one, else a new ``FleetID/generate()``.
    @discardableResult
    func claim(fleetID: String?) async throws -> String
    /// Sets the prefix of actual sandbox and volume names.
    func setNamePrefix(_ prefix: String) async throws
    /// Sets how volumes are named (``VolumeNaming``); refused while resources are desired or volumes owned.
    func setVolumeNaming(_ naming: VolumeNaming) async throws
    /// Applies manifests all-or-nothing; with `prune`, removes what the applied sources no longer declare;
    /// with `dryRun`, reports without changing anything.
    func apply(_ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, dryRun: Bool) async throws -> ApplyReport
    /// Deletes resources by kind and name, all-or-nothing.
    func delete(kind: ResourceKind, names: [String]) async throws -> ApplyReport
    /// Deletes resources by key, all-or-nothing.
    func delete(keys: [(ResourceKind, String)]) async throws -> ApplyReport
    /// Deletes every resource and records the request to prune everything.
    func deleteAll() async throws -> ApplyReport
    /// Sets a set's replicas.
    func scale(set name: String, replicas: Int) async throws -> ApplyReport
    /// The engine's own integrity check ("ok" when sound).
    func integrityCheck() async throws -> String

    // MARK: Reconciler state

    /// What the reconciler keeps between passes, read in one go.
    func reconcilerState() async throws -> ReconcilerState
    /// The reconciler revision: it grows with every commit that changes the reconciler state.
    func reconcilerRevision() async throws -> Int64
    /// Records the creates of a pass before any is sent, in one transaction; with a `fence`, only while
    /// it is the lease's current grant (checked in the same transaction).
    func recordIntents(_ intents: [CreateIntent], fence: LeaseFence?) async throws
    /// Writes everything one pass changed, and applies the event retention policy as of `now` (the
    /// controller's clock: events whose last occurrence is older than ``EventRetention/age`` go); with a
    /// `fence`, only while it is the lease's current grant (checked in the same transaction).
    func commit(_ changes: ReconcilerChanges, now: Date, fence: LeaseFence?) async throws
    /// Events, oldest first, newer than `since`, at most `limit`.
    func events(since: Date?, limit: Int) async throws -> [FleetEvent]
    /// Every generation the store records for `logicalName`, oldest first: when each was created, ran and
    /// ended, and how (kept as long as events, and the newest of each logical sandbox for good).
    func generations(of logicalName: String) async throws -> [ActualSandboxRecord]
    /// What the generations of these spec hashes were created from, where recorded (kept while a recorded
    /// sandbox has the hash, and at least as long as events).
    func recordedSpecs(hashes: [String]) async throws -> [RecordedSpec]
    /// The status of every logical sandbox, by name.
    func statuses() async throws -> [LogicalSandboxStatus]

    // MARK: The single-writer lease

    /// Takes the lease for `holder` when it is free, expired or already `holder`'s (then it is renewed);
    /// nil while someone else holds it. Every acquisition by a new holder gets a larger fencing token.
    func acquireLease(holder: String, duration: TimeInterval, now: Date) async throws -> LeaseGrant?
    /// Whether `holder` still holds the lease under `token`: what every mutating call checks first.
    func leaseIsCurrent(holder: String, token: Int64, now: Date) async throws -> Bool
    /// Gives the lease up, so a standby takes over at once.
    func releaseLease(holder: String, token: Int64) async throws
    /// The current holder, if the lease is held and not expired.
    func leaseHolder(now: Date) async throws -> LeaseGrant?

    // MARK: The whole store

    /// The engine's name (`sqlite`, `postgres`, `memory`).
    var engine: String { get }
    /// The schema version the store was written with.
    func schemaVersion() async throws -> Int
    /// Everything but the lease, read in one snapshot.
    func snapshot() async throws -> StoreSnapshot
    /// Replaces everything but the lease with `snapshot`, in one transaction.
    ///
    /// - Throws: ``FleetStoreError/notEmpty(location:)`` when the store holds anything and `replacing` is
    ///   false; nothing is changed then.
    func restore(_ snapshot: StoreSnapshot, replacing: Bool) async throws

    // MARK: Change notification

    /// Desired-state changes as they are committed, from any process on any machine, when the engine can
    /// announce them (PostgreSQL's `LISTEN`/`NOTIFY`); nil when it cannot, and then readers poll
    /// ``revision()``. The stream ends when its consumer stops iterating.
    func desiredStateChanges() -> AsyncStream<StoreNotification>?
}

/// The numbers that say whether anything in a store changed since a controller last read it.
public struct StoreRevisions: Sendable, Equatable {
    /// The desired-state revision.
    public var desired: Int64
    /// The revision of a standing `delete --all`, if any (an apply withdraws it without a new revision).
    public var pruneAllRequested: Int64?
    /// The reconciler revision.
    public var reconciler: Int64

    /// The three revisions.
    public init(desired: Int64, pruneAllRequested: Int64?, reconciler: Int64) {
        self.desired = desired
        self.pruneAllRequested = pruneAllRequested
        self.reconciler = reconciler
    }
}

/// What a store's change stream says.
public enum StoreNotification: Sendable, Equatable {
    /// Listening (again): changes from now on are announced; any made before may have been missed.
    case listening
    /// The desired state changed; its revision is now `revision`.
    case changed(revision: Int64)
    /// The stream lost its connection and will listen again; until then, changes are not announced.
    case interrupted
}

extension FleetStore {
    /// The three revisions in three reads (engines override it with one).
    public func revisions() async throws -> StoreRevisions {
        StoreRevisions(desired: try await revision(), pruneAllRequested: try await pruneAllRequestedRevision(), reconciler: try await reconcilerRevision())
    }

    /// Engines without notifications: readers poll the revision.
    public func desiredStateChanges() -> AsyncStream<StoreNotification>? { nil }
    /// Records a create before it is sent, unfenced.
    public func recordIntent(_ intent: CreateIntent) async throws { try await recordIntents([intent], fence: nil) }
    /// Records the creates of a pass, unfenced.
    public func recordIntents(_ intents: [CreateIntent]) async throws { try await recordIntents(intents, fence: nil) }
    /// Writes one pass's changes, unfenced.
    public func commit(_ changes: ReconcilerChanges, now: Date) async throws { try await commit(changes, now: now, fence: nil) }
    /// Every desired resource.
    public func resources() async throws -> [DesiredResource] { try await resources(kind: nil) }
    /// The newest events, oldest first.
    public func events(since: Date? = nil) async throws -> [FleetEvent] { try await events(since: since, limit: 1000) }
    /// The current holder now.
    public func leaseHolder() async throws -> LeaseGrant? { try await leaseHolder(now: Date()) }
}

/// How many events a store keeps, and for how long: the newest 20,000, at most 7 days old.
public enum EventRetention {
    /// The most events kept.
    public static let rows = 20_000
    /// The oldest an event may get.
    public static let age: TimeInterval = 7 * 86_400
}
