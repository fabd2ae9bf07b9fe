import FleetModel
import FleetStore
import Foundation
import Synchronization

/// The store contract held in memory, for fast tests: the same desired-state rules as every engine
/// (``DesiredStateRules``), each method one atomic step under a lock.
public final class InMemoryFleetStore: FleetStore {
    private struct State {
        var settings = FleetSettings(fleetID: "default", namePrefix: "")
        var fleetClaimed = false
        var resources: [String: DesiredResource] = [:]
        var revision: Int64 = 0
        var pruneAllRevision: Int64?
        var sandboxes: [String: ActualSandboxRecord] = [:]
        var statuses: [String: LogicalSandboxStatus] = [:]
        var intents: [String: CreateIntent] = [:]
        var ownedVolumes: [String: OwnedVolume] = [:]
        var events: [FleetEvent] = []
        var specs: [String: RecordedSpec] = [:]
        var nextEventID: Int64 = 1
        var reconcilerRevision: Int64 = 0
        var lease: LeaseGrant?

        var sortedResources: [DesiredResource] { resources.values.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) } }

        mutating func persist(_ change: DesiredStateChange) -> ApplyReport {
            for (kind, name) in change.removed { resources["\(kind.rawValue)/\(name)"] = nil }
            for (kind, name, source) in change.moved { resources["\(kind.rawValue)/\(name)"]?.source = source }
            for resource in change.saved { resources[resource.key] = resource }
            if change.bumpsRevision { revision = change.report.revision }
            switch change.pruneAll {
            case .unchanged: break
            case .withdrawn: pruneAllRevision = nil
            case .requested: pruneAllRevision = change.report.revision
            }
            return change.report
        }
    }

    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    public var location: String { "memory" }

    public var engine: String { "memory" }

    public func schemaVersion() throws -> Int { 1 }

    public func snapshot() throws -> StoreSnapshot {
        state.withLock { state in
            var settings = ["name_prefix": state.settings.namePrefix]
            if state.fleetClaimed { settings["fleet_id"] = state.settings.fleetID }
            if state.settings.volumeNaming != .plain { settings[FleetSettings.Key.volumeNaming] = state.settings.volumeNaming.rawValue }
            if state.settings.namePrefix.isEmpty { settings["name_prefix"] = nil }
            return StoreSnapshot(
                settings: settings, revision: state.revision, pruneAllRequestedRevision: state.pruneAllRevision, resources: state.sortedResources,
                reconcilerRevision: state.reconcilerRevision, sandboxes: state.sandboxes.values.sorted { $0.name < $1.name },
                statuses: state.statuses.values.sorted { $0.logicalName < $1.logicalName }, intents: state.intents.values.sorted { $0.actualName < $1.actualName },
                volumes: state.ownedVolumes.values.sorted { $0.logicalName < $1.logicalName }, events: state.events,
                specs: state.specs.values.sorted { $0.specHash < $1.specHash })
        }
    }

    public func restore(_ snapshot: StoreSnapshot, replacing: Bool) throws {
        try state.withLock { state in
            let held = !state.resources.isEmpty || !state.sandboxes.isEmpty || !state.statuses.isEmpty || !state.intents.isEmpty
                || !state.ownedVolumes.isEmpty || !state.events.isEmpty || !state.specs.isEmpty
            guard replacing || !held else { throw FleetStoreError.notEmpty(location: "memory") }
            let lease = state.lease
            state = State()
            state.lease = lease
            state.settings = FleetSettings(values: snapshot.settings)
            state.fleetClaimed = snapshot.settings["fleet_id"] != nil
            state.revision = snapshot.revision
            state.pruneAllRevision = snapshot.pruneAllRequestedRevision
            for resource in snapshot.resources { state.resources[resource.key] = resource }
            state.reconcilerRevision = snapshot.reconcilerRevision
            for sandbox in snapshot.sandboxes { state.sandboxes[sandbox.id] = sandbox }
            for status in snapshot.statuses { state.statuses[status.logicalName] = status }
            for intent in snapshot.intents { state.intents[intent.actualName] = intent }
            for spec in snapshot.specs { state.specs[spec.specHash] = spec }
            for volume in snapshot.volumes { state.ownedVolumes[volume.logicalName] = volume }
            state.events = snapshot.events
            state.nextEventID = (snapshot.events.compactMap(\.id).max() ?? 0) + 1
        }
    }

    public func settings() throws -> FleetSettings { state.withLock { $0.settings } }
    public func revision() throws -> Int64 { state.withLock { $0.revision } }
    public func pruneAllRequestedRevision() throws -> Int64? { state.withLock { $0.pruneAllRevision } }

    /// Every desired resource (synchronous, like every method of this engine).
    public func resources() throws -> [DesiredResource] { try resources(kind: nil) }
    /// The newest events, oldest first.
    public func events(since: Date? = nil) throws -> [FleetEvent] { try events(since: since, limit: 1000) }
    /// The current holder now.
    public func leaseHolder() throws -> LeaseGrant? { try leaseHolder(now: Date()) }

    public func resources(kind: ResourceKind?) throws -> [DesiredResource] {
        state.withLock { $0.sortedResources.filter { kind == nil || $0.kind == kind } }
    }

    @discardableResult
    public func claim(fleetID: String?) throws -> String {
        if let fleetID { try DesiredStateRules.validate(fleetID: fleetID) }
        return try state.withLock { state in
            if state.fleetClaimed {
                guard fleetID == nil || state.settings.fleetID == fleetID else {
                    throw FleetStoreError.fleetMismatch(path: location, stored: state.settings.fleetID, requested: fleetID ?? "")
                }
                return state.settings.fleetID
            }
            state.settings.fleetID = fleetID ?? FleetID.generate()
            state.fleetClaimed = true
            if state.ownedVolumes.isEmpty { state.settings.volumeNaming = .scoped }
            return state.settings.fleetID
        }
    }

    public func setNamePrefix(_ prefix: String) throws {
        try DesiredStateRules.validate(namePrefix: prefix)
        try state.withLock { state in
            guard state.settings.namePrefix != prefix else { return }
            guard state.resources.isEmpty else { throw FleetStoreError.namePrefixLocked }
            state.settings.namePrefix = prefix
        }
    }

    public func setVolumeNaming(_ naming: VolumeNaming) throws {
        try state.withLock { state in
            guard state.settings.volumeNaming != naming else { return }
            guard state.resources.isEmpty, state.ownedVolumes.isEmpty else { throw FleetStoreError.volumeNamingLocked }
            state.settings.volumeNaming = naming
        }
    }

    public func apply(_ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, dryRun: Bool) throws -> ApplyReport {
        try state.withLock { state in
            let change = try DesiredStateRules.apply(
                manifests, sources: sources, prune: prune, dryRun: dryRun, existing: state.sortedResources, settings: state.settings,
                revision: state.revision, now: Date())
            return dryRun ? change.report : state.persist(change)
        }
    }

    public func delete(kind: ResourceKind, names: [String]) throws -> ApplyReport {
        try delete(keys: names.map { (kind, $0) })
    }

    public func delete(keys: [(ResourceKind, String)]) throws -> ApplyReport {
        try state.withLock { state in
            state.persist(try DesiredStateRules.delete(keys: keys, existing: state.sortedResources, revision: state.revision))
        }
    }

    public func deleteAll() throws -> ApplyReport {
        state.withLock { state in state.persist(DesiredStateRules.deleteAll(existing: state.sortedResources, revision: state.revision)) }
    }

    public func scale(set name: String, replicas: Int) throws -> ApplyReport {
        try state.withLock { state in
            state.persist(
                try DesiredStateRules.scale(
                    set: name, replicas: replicas, existing: state.sortedResources, settings: state.settings, revision: state.revision, now: Date()))
        }
    }

    public func integrityCheck() throws -> String { "ok" }

    public func reconcilerState() throws -> ReconcilerState {
        state.withLock { state in
            var latest: [String: ActualSandboxRecord] = [:]
            for record in state.sandboxes.values where (latest[record.logicalName]?.generation ?? Int.min) < record.generation {
                latest[record.logicalName] = record
            }
            let ended = latest.filter { !$0.value.tracked }
            return ReconcilerState(
                trackedSandboxes: state.sandboxes.values.filter(\.tracked).sorted { $0.name < $1.name }, statuses: state.statuses,
                intents: state.intents.values.sorted { $0.actualName < $1.actualName }, ownedVolumes: state.ownedVolumes, newestEnded: ended)
        }
    }

    public func reconcilerRevision() throws -> Int64 { state.withLock { $0.reconcilerRevision } }

    public func recordIntent(_ intent: CreateIntent) throws { try recordIntents([intent], fence: nil) }

    public func commit(_ changes: ReconcilerChanges, now: Date) throws { try commit(changes, now: now, fence: nil) }

    public func generations(of logicalName: String) throws -> [ActualSandboxRecord] {
        state.withLock { state in state.sandboxes.values.filter { $0.logicalName == logicalName }.sorted { $0.generation < $1.generation } }
    }

    public func recordedSpecs(hashes: [String]) throws -> [RecordedSpec] {
        state.withLock { state in hashes.compactMap { state.specs[$0] }.sorted { $0.specHash < $1.specHash } }
    }

    public func recordIntents(_ intents: [CreateIntent], fence: LeaseFence?) throws {
        guard !intents.isEmpty else { return }
        try state.withLock { state in
            try Self.check(fence, state)
            for intent in intents { state.intents[intent.actualName] = intent }
            state.reconcilerRevision += 1
        }
    }

    public func commit(_ changes: ReconcilerChanges, now: Date, fence: LeaseFence?) throws {
        guard !changes.isEmpty else { return }
        try state.withLock { state in
            try Self.check(fence, state)
            state.reconcilerRevision += 1
            for sandbox in changes.sandboxes { state.sandboxes[sandbox.id] = sandbox }
            for status in changes.statuses { state.statuses[status.logicalName] = status }
            for name in changes.removedStatuses { state.statuses[name] = nil }
            for name in changes.settledIntents { state.intents[name] = nil }
            for volume in changes.ownedVolumes { state.ownedVolumes[volume.logicalName] = volume }
            for name in changes.releasedVolumes { state.ownedVolumes[name] = nil }
            for event in changes.events { Self.record(event, in: &state) }
            for spec in changes.specs where state.specs[spec.specHash] == nil { state.specs[spec.specHash] = spec }
            if !changes.specs.isEmpty {
                let used = Set(state.sandboxes.values.map(\.specHash))
                state.specs = state.specs.filter { used.contains($0.key) || $0.value.recordedAt >= now.addingTimeInterval(-EventRetention.age) }
            }
            if !changes.events.isEmpty {
                let cutoff = now.addingTimeInterval(-EventRetention.age)
                state.events.removeAll { $0.lastAt < cutoff }
                let newest = Dictionary(state.sandboxes.values.map { ($0.logicalName, $0.generation) }, uniquingKeysWith: max)
                state.sandboxes = state.sandboxes.filter { _, record in
                    record.tracked || (record.finishedAt ?? record.createdAt) >= cutoff || record.generation >= (newest[record.logicalName] ?? 0)
                }
                if state.events.count > EventRetention.rows { state.events.removeFirst(state.events.count - EventRetention.rows) }
            }
        }
    }

    /// Refuses a write unless `fence` is the lease's current, unexpired grant.
    private static func check(_ fence: LeaseFence?, _ state: State) throws {
        guard let fence else { return }
        guard let lease = state.lease, lease.holder == fence.holder, lease.token == fence.token, lease.expiresAt > fence.now else {
            throw FleetStoreError.fencedOut(holder: fence.holder, token: fence.token)
        }
    }

    /// A repeat of its object's latest event is folded into that event's count.
    private static func record(_ event: FleetEvent, in state: inout State) {
        if let index = state.events.lastIndex(where: { $0.kind == event.kind && $0.name == event.name }),
            state.events[index].type == event.type, state.events[index].reason == event.reason, state.events[index].message == event.message
        {
            state.events[index].count += 1
            state.events[index].lastAt = event.lastAt
            return
        }
        var event = event
        event.id = state.nextEventID
        state.nextEventID += 1
        state.events.append(event)
    }

    public func events(since: Date?, limit: Int) throws -> [FleetEvent] {
        state.withLock { state in Array(state.events.filter { $0.lastAt >= (since ?? .distantPast) }.suffix(limit)) }
    }

    public func statuses() throws -> [LogicalSandboxStatus] {
        state.withLock { $0.statuses.values.sorted { $0.logicalName < $1.logicalName } }
    }

    public func acquireLease(holder: String, duration: TimeInterval, now: Date) throws -> LeaseGrant? {
        state.withLock { state in
            let expiresAt = now.addingTimeInterval(duration)
            guard let lease = state.lease else {
                state.lease = LeaseGrant(holder: holder, token: 1, expiresAt: expiresAt)
                return state.lease
            }
            if lease.holder == holder, lease.expiresAt > now {
                state.lease?.expiresAt = expiresAt
                return state.lease
            }
            guard lease.expiresAt <= now else { return nil }
            state.lease = LeaseGrant(holder: holder, token: lease.token + 1, expiresAt: expiresAt)
            return state.lease
        }
    }

    public func leaseIsCurrent(holder: String, token: Int64, now: Date) throws -> Bool {
        state.withLock { state in state.lease.map { $0.holder == holder && $0.token == token && $0.expiresAt > now } ?? false }
    }

    public func releaseLease(holder: String, token: Int64) throws {
        state.withLock { state in
            if state.lease?.holder == holder, state.lease?.token == token { state.lease?.expiresAt = .distantPast }
        }
    }

    public func leaseHolder(now: Date) throws -> LeaseGrant? {
        state.withLock { state in state.lease.flatMap { $0.expiresAt > now ? $0 : nil } }
    }
}
