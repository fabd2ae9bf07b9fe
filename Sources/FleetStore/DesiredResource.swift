import FleetModel
import Foundation

/// One row of the desired state: a resource as last applied.
public struct DesiredResource: Sendable, Equatable, Codable {
    /// Its kind.
    public var kind: ResourceKind
    /// Its logical name.
    public var name: String
    /// The user's tags, as canonical JSON.
    public var tags: String
    /// Its spec, as canonical JSON.
    public var spec: String
    /// The hash of tags and spec.
    public var specHash: String
    /// The file it was applied from (or `cli` for `scale`, `edit:` for edits).
    public var source: String
    /// The desired-state revision that last changed it.
    public var revision: Int64
    /// When it was first applied.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case kind, name, tags, spec
        case specHash = "spec_hash"
        case source, revision
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// The user's tags.
    public var tagMap: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(tags.utf8))) ?? [:]
    }

    /// The logical sandbox names this resource declares, located at its source file. Only sets are
    /// decoded (for their replicas).
    public func claim() throws -> LogicalNameClaim {
        let location = SourceLocation(file: source, line: 0, column: 0)
        switch kind {
        case .sandbox: return LogicalNameClaim(reference: key, location: location, names: [name])
        case .volume: return LogicalNameClaim(reference: key, location: location, names: [])
        case .sandboxSet: return LogicalNameClaim(reference: key, location: location, names: LogicalNameClaim(try manifest()).names)
        }
    }

    /// The resource as a manifest.
    public func manifest() throws -> Manifest {
        try Manifest.stored(kind: kind, name: name, tags: tagMap, specJSON: Data(spec.utf8), source: source)
    }

    /// A resource as an engine reads it back, column by column.
    public init(
        kind: ResourceKind, name: String, tags: String, spec: String, specHash: String, source: String, revision: Int64, createdAt: Date,
        updatedAt: Date
    ) {
        self.kind = kind
        self.name = name
        self.tags = tags
        self.spec = spec
        self.specHash = specHash
        self.source = source
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The row for a manifest applied from `source` at `revision`.
    public init(_ manifest: Manifest, source: String, revision: Int64, createdAt: Date, updatedAt: Date) throws {
        self.kind = manifest.kind
        self.name = manifest.name
        self.tags = try CanonicalJSON.string(manifest.tags)
        self.spec = try manifest.specJSON
        self.specHash = try manifest.specHash
        self.source = source
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The fleet a store manages.
public struct FleetSettings: Sendable, Equatable, Codable {
    /// The fleet id (`default` unless set).
    public var fleetID: String
    /// Prefix of every actual sandbox and volume name.
    public var namePrefix: String
    /// How volumes are named (``VolumeNaming``): `scoped` for stores created with it, `plain` for older ones.
    public var volumeNaming: VolumeNaming

    /// Creates settings.
    public init(fleetID: String, namePrefix: String, volumeNaming: VolumeNaming = .plain) {
        self.fleetID = fleetID
        self.namePrefix = namePrefix
        self.volumeNaming = volumeNaming
    }

    /// Settings read from the `fleet_setting` rows of a store (missing keys take their defaults).
    public init(values: [String: String]) {
        self.init(
            fleetID: values[Key.fleetID] ?? FleetID.legacyDefault, namePrefix: values[Key.namePrefix] ?? "",
            volumeNaming: values[Key.volumeNaming].flatMap(VolumeNaming.init(rawValue:)) ?? .plain)
    }

    /// What every volume name starts with: the name prefix, then the fleet's scope when volumes are scoped.
    public var volumeNamePrefix: String { namePrefix + volumeNaming.scope(fleetID: fleetID) }

    /// The keys of the `fleet_setting` table.
    public enum Key {
        /// The fleet id.
        public static let fleetID = "fleet_id"
        /// The name prefix.
        public static let namePrefix = "name_prefix"
        /// ``VolumeNaming``'s raw value; absent means `plain`.
        public static let volumeNaming = "volume_names"
    }
}

/// What an apply did (or would do) to one resource.
public enum ApplyAction: String, Sendable, Codable {
    /// Newly desired.
    case created
    /// Changed.
    case configured
    /// Already as declared.
    case unchanged
    /// Removed by `--prune`.
    case pruned
}

/// The outcome of an apply, per resource in file order, pruned ones last.
public struct ApplyReport: Sendable, Equatable, Codable {
    /// One line per resource.
    public struct Item: Sendable, Equatable, Codable {
        /// Its kind.
        public var kind: ResourceKind
        /// Its logical name.
        public var name: String
        /// What happened.
        public var action: ApplyAction

        /// What `action` did to the resource `kind`/`name`.
        public init(kind: ResourceKind, name: String, action: ApplyAction) {
            self.kind = kind
            self.name = name
            self.action = action
        }
    }

    /// Every resource touched or checked.
    public var items: [Item]
    /// The desired-state revision after the apply.
    public var revision: Int64
    /// Whether nothing was written.
    public var dryRun: Bool

    /// A report of `items` at `revision`.
    public init(items: [Item], revision: Int64, dryRun: Bool) {
        self.items = items
        self.revision = revision
        self.dryRun = dryRun
    }
}
