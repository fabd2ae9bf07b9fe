/// The kinds of desired resource.
public enum ResourceKind: String, Sendable, Codable, CaseIterable, Comparable {
    /// One named sandbox.
    case sandbox = "Sandbox"
    /// N sandboxes named `<name>-0 … <name>-(N-1)`.
    case sandboxSet = "SandboxSet"
    /// A persistent volume.
    case volume = "Volume"

    /// Volumes first, then sets, then sandboxes: the order resources are listed in.
    public static func < (lhs: ResourceKind, rhs: ResourceKind) -> Bool { lhs.order < rhs.order }

    private var order: Int {
        switch self {
        case .volume: 0
        case .sandboxSet: 1
        case .sandbox: 2
        }
    }

    /// The word used on the command line (`sandbox`, `set`, `volume`).
    public var commandWord: String {
        switch self {
        case .sandbox: "sandbox"
        case .sandboxSet: "set"
        case .volume: "volume"
        }
    }
}

/// One desired resource read from a manifest.
public struct Manifest: Sendable, Equatable {
    /// Its kind.
    public var kind: ResourceKind
    /// Its logical name, stable forever.
    public var name: String
    /// The user's own tags, put on every sandbox it makes.
    public var tags: [String: String]
    /// What it should be.
    public var spec: ResourceSpec
    /// Where it was declared.
    public var location: SourceLocation

    /// Creates a manifest.
    public init(kind: ResourceKind, name: String, tags: [String: String] = [:], spec: ResourceSpec, location: SourceLocation) {
        self.kind = kind
        self.name = name
        self.tags = tags
        self.spec = spec
        self.location = location
    }

    /// `Kind/name`, e.g. `Sandbox/api`.
    public var reference: String { "\(kind.rawValue)/\(name)" }

    /// The fields of a manifest document around its spec (`status` is what `get -o yaml` adds; apply
    /// ignores it, as kubectl does).
    enum EnvelopeKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, name, tags, spec, status
    }
}

/// The `spec` of a desired resource.
public enum ResourceSpec: Sendable, Equatable {
    /// A sandbox's spec.
    case sandbox(SandboxTemplate)
    /// A sandbox set's spec.
    case sandboxSet(SandboxSetSpec)
    /// A volume's spec.
    case volume(VolumeSpecification)

    /// How many logical sandboxes it declares: one for a sandbox, its replicas for a set, none for a volume.
    public var logicalSandboxCount: Int {
        switch self {
        case .sandbox: 1
        case .sandboxSet(let set): max(0, set.replicas)
        case .volume: 0
        }
    }
}

/// What a sandbox should run: every field of the Sandbox API's `SandboxSpec` but `name` and `tags`,
/// with volume mounts naming Volume resources, plus the restart policy.
public struct SandboxTemplate: Sendable, Equatable, Codable {
    /// Image reference (tag or digest); required unless `snapshotID`.
    public var image: String?
    /// Boot from a snapshot instead of an image.
    public var snapshotID: String?
    /// Replaces the image entrypoint.
    public var command: [String]?
    /// Arguments to the command.
    public var args: [String]?
    /// Environment variables.
    public var env: [String: String]?
    /// Cluster environment groups to inject.
    public var envGroups: [String]?
    /// Absolute mount path → logical name of a Volume resource.
    public var volumeMounts: [String: String]?
    /// Ports to expose (at most one).
    public var networking: [Networking]?
    /// Outbound allow-list.
    public var egress: Egress?
    /// CPU and memory.
    public var resources: Resources?
    /// Maximum lifetime in seconds.
    public var ttlSeconds: Int?
    /// When a finished sandbox is started again (`always` when nil).
    public var restartPolicy: RestartPolicy?

    /// An empty template.
    public init() {}

    /// The restart policy, `always` when not given.
    public var effectiveRestartPolicy: RestartPolicy { restartPolicy ?? .always }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case image
        case snapshotID = "snapshot_id"
        case command, args, env
        case envGroups = "env_groups"
        case volumeMounts = "volume_mounts"
        case networking, egress, resources
        case ttlSeconds = "ttl_seconds"
        case restartPolicy = "restart_policy"
    }

    /// The field names a manifest may use.
    public static var fieldNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// A port to expose.
    public struct Networking: Sendable, Equatable, Codable {
        /// The port the workload listens on.
        public var port: Int
        /// Hostnames to serve it on (at most one).
        public var domains: [Domain]?
        /// Cluster-only exposure.
        public var `internal`: Bool?

        /// A port with no domains.
        public init(port: Int, domains: [Domain]? = nil, internal: Bool? = nil) {
            self.port = port
            self.domains = domains
            self.internal = `internal`
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case port, domains
            case `internal`
        }

        /// A hostname to serve the port on.
        public struct Domain: Sendable, Equatable, Codable {
            /// The hostname.
            public var domain: String?
            /// `public` or `private`.
            public var visibility: String?

            /// Creates a domain.
            public init(domain: String? = nil, visibility: String? = nil) {
                self.domain = domain
                self.visibility = visibility
            }

            enum CodingKeys: String, CodingKey, CaseIterable { case domain, visibility }
        }
    }

    /// Outbound allow-list.
    public struct Egress: Sendable, Equatable, Codable {
        /// The only destinations allowed.
        public var allowedDestinations: [String]

        /// Creates an allow-list.
        public init(allowedDestinations: [String]) { self.allowedDestinations = allowedDestinations }

        enum CodingKeys: String, CodingKey, CaseIterable { case allowedDestinations = "allowed_destinations" }
    }

    /// CPU and memory as Kubernetes quantities.
    public struct Resources: Sendable, Equatable, Codable {
        /// Cores or millicores, e.g. `500m`.
        public var cpu: String?
        /// Memory, e.g. `512Mi`.
        public var memory: String?

        /// Creates resources.
        public init(cpu: String? = nil, memory: String? = nil) {
            self.cpu = cpu
            self.memory = memory
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case cpu, memory }
    }
}

/// When a finished sandbox is started again.
public enum RestartPolicy: String, Sendable, Codable, CaseIterable {
    /// Replace any terminal phase (the default).
    case always
    /// Replace `failed` and abnormal terminations.
    case onFailure = "on_failure"
    /// Never start a finished run again.
    case never
}

/// The spec of a sandbox set.
public struct SandboxSetSpec: Sendable, Equatable, Codable {
    /// How many sandboxes, named `<name>-0 … <name>-(replicas-1)`.
    public var replicas: Int
    /// What each runs.
    public var template: SandboxTemplate

    /// Creates a set spec.
    public init(replicas: Int, template: SandboxTemplate) {
        self.replicas = replicas
        self.template = template
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case replicas, template }
}

/// The spec of a volume.
public struct VolumeSpecification: Sendable, Equatable, Codable {
    /// What happens to the volume when it is no longer desired: `retain` (default) or `delete`.
    public var deletionPolicy: DeletionPolicy?
    /// Adopt an existing volume of the same name that porter-fleet did not create.
    public var adopt: Bool?

    /// Creates a volume spec.
    public init(deletionPolicy: DeletionPolicy? = nil, adopt: Bool? = nil) {
        self.deletionPolicy = deletionPolicy
        self.adopt = adopt
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case deletionPolicy = "deletion_policy"
        case adopt
    }

    /// The field names a manifest may use.
    public static var fieldNames: [String] { CodingKeys.allCases.map(\.rawValue) }
}

/// What happens to a volume that is no longer desired.
public enum DeletionPolicy: String, Sendable, Codable, CaseIterable {
    /// Keep it and forget it.
    case retain
    /// Delete it once nothing attached to it is live.
    case delete
}

extension Manifest {
    /// What a Sandbox, or each member of a SandboxSet, runs; nil for a Volume.
    public var sandboxTemplate: SandboxTemplate? {
        switch spec {
        case .sandbox(let template): template
        case .sandboxSet(let set): set.template
        case .volume: nil
        }
    }

    /// The volume mounts naming a Volume that is not in `volumes`, in path order.
    public func mounts(notIn volumes: Set<String>) -> [(path: String, volume: String)] {
        (sandboxTemplate?.volumeMounts ?? [:]).sorted { $0.key < $1.key }.filter { !volumes.contains($0.value) }.map { ($0.key, $0.value) }
    }
}
