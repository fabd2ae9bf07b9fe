import FleetModel
import Foundation

/// What a change to the desired state writes, computed by ``DesiredStateRules`` from what is stored;
/// an engine writes all of it in one transaction, or nothing.
public struct DesiredStateChange: Sendable {
    /// What the change did, per resource.
    public var report: ApplyReport
    /// Resources to insert or replace.
    public var saved: [DesiredResource] = []
    /// Resources to remove, by kind and name.
    public var removed: [(kind: ResourceKind, name: String)] = []
    /// Unchanged resources now applied from another source file.
    public var moved: [(kind: ResourceKind, name: String, source: String)] = []
    /// Whether the revision becomes `report.revision`.
    public var bumpsRevision: Bool
    /// Whether an explicit request to prune everything is withdrawn (any apply) or made (`delete --all`).
    public var pruneAll: PruneAllChange = .unchanged

    /// What happens to the request to prune everything.
    public enum PruneAllChange: Sendable, Equatable {
        case unchanged, withdrawn, requested
    }
}

/// The rules of the desired state that every engine shares: validation, pruning by source, dangling
/// mounts, revisions. Pure functions of what is stored; the engines only read and write.
public enum DesiredStateRules {
    /// An apply: creates, configures or leaves each resource; with `prune`, removes resources applied
    /// earlier from `sources` that the manifests no longer declare.
    ///
    /// - Throws: ``FleetStoreError/invalid(_:)`` with every problem, when any.
    public static func apply(
        _ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, dryRun: Bool, existing: [DesiredResource],
        settings: FleetSettings, revision current: Int64, now: Date
    ) throws -> DesiredStateChange {
        let byKey = Dictionary(existing.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let appliedKeys = Set(manifests.map { $0.manifest.reference })
        let pruned = prune ? existing.filter { !appliedKeys.contains($0.key) && source($0.source, isUnder: sources) } : []
        let prunedKeys = Set(pruned.map(\.key))
        let keptVolumes = Set(existing.filter { $0.kind == .volume && !prunedKeys.contains($0.key) }.map(\.name))
        var problems = ManifestSetValidation.problems(in: manifests.map(\.manifest), otherVolumes: keptVolumes, namePrefix: settings.namePrefix, volumeNamePrefix: settings.volumeNamePrefix)
        let remaining = existing.filter { !appliedKeys.contains($0.key) && !prunedKeys.contains($0.key) }
        problems += try danglingMounts(
            remaining: remaining, volumes: keptVolumes.union(manifests.filter { $0.manifest.kind == .volume }.map { $0.manifest.name }))
        if problems.isEmpty {
            problems += LogicalNameClaim.conflicts(changed: manifests.map { LogicalNameClaim($0.manifest) }, others: try remaining.map { try $0.claim() })
        }
        guard problems.isEmpty else { throw FleetStoreError.invalid(problems) }
        var change = DesiredStateChange(report: ApplyReport(items: [], revision: current, dryRun: dryRun), bumpsRevision: false)
        // Hashing and encoding each manifest is independent work: on every core, then gathered in order.
        let placements = try ParallelMap.map(manifests) { manifest, source in
            try placement(of: manifest, from: source, old: byKey[manifest.reference], revision: current + 1, now: now)
        }
        for (placement, (manifest, _)) in zip(placements, manifests) {
            change.report.items.append(.init(kind: manifest.kind, name: manifest.name, action: placement.action))
            if let resource = placement.saved { change.saved.append(resource) }
            if let source = placement.movedTo { change.moved.append((manifest.kind, manifest.name, source)) }
        }
        for resource in pruned {
            change.report.items.append(.init(kind: resource.kind, name: resource.name, action: .pruned))
            change.removed.append((resource.kind, resource.name))
        }
        if !change.saved.isEmpty || !pruned.isEmpty {
            change.bumpsRevision = true
            change.report.revision = current + 1
        }
        if !manifests.isEmpty { change.pruneAll = .withdrawn }
        return change
    }

    /// What applying one manifest does.
    struct Placement: Sendable {
        var action: ApplyAction
        /// The resource to write (created or configured).
        var saved: DesiredResource?
        /// An unchanged resource now applied from this other source.
        var movedTo: String?
    }

    /// One applied manifest: created, configured or unchanged (then perhaps moved to another source).
    private static func placement(of manifest: Manifest, from source: String, old: DesiredResource?, revision: Int64, now: Date) throws -> Placement {
        guard let old else {
            return Placement(action: .created, saved: try DesiredResource(manifest, source: source, revision: revision, createdAt: now, updatedAt: now))
        }
        if old.specHash == (try manifest.specHash) {
            return Placement(action: .unchanged, movedTo: old.source != source ? source : nil)
        }
        return Placement(
            action: .configured, saved: try DesiredResource(manifest, source: source, revision: revision, createdAt: old.createdAt, updatedAt: now))
    }

    /// Deleting resources by key: all present, and no remaining sandbox still mounting a removed volume.
    public static func delete(keys: [(ResourceKind, String)], existing: [DesiredResource], revision current: Int64) throws -> DesiredStateChange {
        let present = Set(existing.map(\.key))
        var missing: [ResourceKind: [String]] = [:]
        for (kind, name) in keys where !present.contains("\(kind.rawValue)/\(name)") { missing[kind, default: []].append(name) }
        if let (kind, names) = missing.sorted(by: { $0.key < $1.key }).first { throw FleetStoreError.notFound(kind: kind, names: names) }
        let removing = Set(keys.map { "\($0.0.rawValue)/\($0.1)" })
        let remaining = existing.filter { !removing.contains($0.key) }
        let problems = try danglingMounts(remaining: remaining, volumes: Set(remaining.filter { $0.kind == .volume }.map(\.name)))
        guard problems.isEmpty else { throw FleetStoreError.invalid(problems) }
        let items = keys.map { ApplyReport.Item(kind: $0.0, name: $0.1, action: .pruned) }
        return DesiredStateChange(
            report: ApplyReport(items: items, revision: current + 1, dryRun: false), removed: keys.map { ($0.0, $0.1) }, bumpsRevision: true)
    }

    /// Deleting everything, with the explicit request that lets the reconciler prune all the fleet runs.
    public static func deleteAll(existing: [DesiredResource], revision current: Int64) -> DesiredStateChange {
        DesiredStateChange(
            report: ApplyReport(items: existing.map { .init(kind: $0.kind, name: $0.name, action: .pruned) }, revision: current + 1, dryRun: false),
            removed: existing.map { ($0.kind, $0.name) }, bumpsRevision: true, pruneAll: .requested)
    }

    /// Setting a set's replicas.
    public static func scale(
        set name: String, replicas: Int, existing: [DesiredResource], settings: FleetSettings, revision current: Int64, now: Date
    ) throws -> DesiredStateChange {
        guard let row = existing.first(where: { $0.kind == .sandboxSet && $0.name == name }) else {
            throw FleetStoreError.notFound(kind: .sandboxSet, names: [name])
        }
        var manifest = try row.manifest()
        guard case .sandboxSet(var spec) = manifest.spec else { throw FleetStoreError.notFound(kind: .sandboxSet, names: [name]) }
        guard (0...ManifestRules.maximumReplicas).contains(replicas) else { throw FleetStoreError.replicasOutOfRange(replicas) }
        spec.replicas = replicas
        manifest.spec = .sandboxSet(spec)
        let volumes = Set(existing.filter { $0.kind == .volume }.map(\.name))
        var problems = ManifestSetValidation.problems(in: [manifest], otherVolumes: volumes, namePrefix: settings.namePrefix, volumeNamePrefix: settings.volumeNamePrefix)
        problems += LogicalNameClaim.conflicts(
            changed: [LogicalNameClaim(manifest)], others: try existing.filter { $0.key != row.key }.map { try $0.claim() })
        guard problems.isEmpty else { throw FleetStoreError.invalid(problems) }
        guard try manifest.specHash != row.specHash else {
            return DesiredStateChange(
                report: ApplyReport(items: [.init(kind: .sandboxSet, name: name, action: .unchanged)], revision: current, dryRun: false),
                bumpsRevision: false)
        }
        return DesiredStateChange(
            report: ApplyReport(items: [.init(kind: .sandboxSet, name: name, action: .configured)], revision: current + 1, dryRun: false),
            saved: [try DesiredResource(manifest, source: row.source, revision: current + 1, createdAt: row.createdAt, updatedAt: now)],
            bumpsRevision: true)
    }

    /// A fleet id is 1–63 of `A-Z a-z 0-9 . _ -`.
    public static func validate(fleetID: String) throws {
        guard ManifestRules.isTagText(fleetID), !fleetID.isEmpty, !fleetID.contains("/") else { throw FleetStoreError.invalidFleetID(fleetID) }
    }

    /// A name prefix is empty, or up to 20 of `a-z 0-9 -` starting with a letter or digit.
    public static func validate(namePrefix prefix: String) throws {
        guard prefix.isEmpty || (ManifestRules.isDNSLabel(prefix + "x") && prefix.count <= 20) else {
            throw FleetStoreError.invalidNamePrefix(prefix)
        }
    }

    /// Whether a resource's source is one of the applied files or under one of the applied directories.
    static func source(_ source: String, isUnder sources: [String]) -> Bool {
        sources.contains { applied in source == applied || source.hasPrefix(applied.hasSuffix("/") ? applied : applied + "/") }
    }

    /// Mounts of remaining sandboxes and sets that name a volume not in `volumes`.
    static func danglingMounts(remaining: [DesiredResource], volumes: Set<String>) throws -> [ManifestError] {
        var problems: [ManifestError] = []
        for resource in remaining where resource.kind != .volume {
            let manifest = try resource.manifest()
            for (path, volume) in manifest.mounts(notIn: volumes) {
                problems.append(
                    ManifestError(manifest.location, "\(manifest.reference) still mounts volume '\(volume)' at \(path); remove that mount or keep the volume"))
            }
        }
        return problems
    }
}

extension DesiredResource {
    /// `Kind/name`, as manifests are referred to.
    public var key: String { "\(kind.rawValue)/\(name)" }
}
