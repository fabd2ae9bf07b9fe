import FleetModel
import FleetStore
import Foundation
import PorterSandbox

/// One logical sandbox the fleet should run: a Sandbox, or one member of a SandboxSet.
public struct DesiredSandbox: Sendable, Equatable {
    /// The logical name (`api`, `agent-3`).
    public var logicalName: String
    /// The desired resource it comes from (`Sandbox/api`, `SandboxSet/agent`).
    public var owner: String
    /// What it runs.
    public var template: SandboxTemplate
    /// The user's tags.
    public var tags: [String: String]

    /// Creates a desired sandbox.
    public init(logicalName: String, owner: String, template: SandboxTemplate, tags: [String: String] = [:]) {
        self.logicalName = logicalName
        self.owner = owner
        self.template = template
        self.tags = tags
    }
}

/// One volume the fleet should have.
public struct DesiredVolume: Sendable, Equatable {
    /// The logical name.
    public var logicalName: String
    /// Its spec.
    public var spec: VolumeSpecification

    /// Creates a desired volume.
    public init(logicalName: String, spec: VolumeSpecification = .init()) {
        self.logicalName = logicalName
        self.spec = spec
    }
}

/// The whole desired state as the reconciler needs it: sets expanded to their members.
public struct DesiredFleet: Sendable, Equatable {
    /// The fleet id.
    public var fleetID: String
    /// The prefix of every actual name.
    public var namePrefix: String
    /// How volumes are named: with `scoped`, a volume's name is evidence that it is this fleet's.
    public var volumeNaming: VolumeNaming
    /// Every logical sandbox, by name order.
    public var sandboxes: [DesiredSandbox]
    /// Every volume.
    public var volumes: [DesiredVolume]
    /// Whether pruning was asked for (`delete --all`, or `--allow-prune`): lifts the prune guard.
    public var pruneAllRequested: Bool

    /// Creates a desired fleet.
    public init(
        fleetID: String, namePrefix: String = "", volumeNaming: VolumeNaming = .plain, sandboxes: [DesiredSandbox] = [], volumes: [DesiredVolume] = [],
        pruneAllRequested: Bool = false
    ) {
        self.fleetID = fleetID
        self.namePrefix = namePrefix
        self.volumeNaming = volumeNaming
        self.sandboxes = sandboxes
        self.volumes = volumes
        self.pruneAllRequested = pruneAllRequested
    }

    /// The desired fleet of stored resources.
    public init(resources: [DesiredResource], settings: FleetSettings, pruneAllRequested: Bool) throws {
        let manifests = try resources.map { try $0.manifest() }
        var sandboxes: [DesiredSandbox] = []
        sandboxes.reserveCapacity(manifests.reduce(0) { count, manifest in count + manifest.spec.logicalSandboxCount })
        var volumes: [DesiredVolume] = []
        for manifest in manifests {
            switch manifest.spec {
            case .sandbox(let template):
                sandboxes.append(DesiredSandbox(logicalName: manifest.name, owner: manifest.reference, template: template, tags: manifest.tags))
            case .sandboxSet(let set):
                for index in 0..<set.replicas {
                    sandboxes.append(
                        DesiredSandbox(logicalName: "\(manifest.name)-\(index)", owner: manifest.reference, template: set.template, tags: manifest.tags))
                }
            case .volume(let spec):
                volumes.append(DesiredVolume(logicalName: manifest.name, spec: spec))
            }
        }
        sandboxes.sort { $0.logicalName < $1.logicalName }
        self.init(
            fleetID: settings.fleetID, namePrefix: settings.namePrefix, volumeNaming: settings.volumeNaming, sandboxes: sandboxes, volumes: volumes,
            pruneAllRequested: pruneAllRequested)
    }

    /// The actual name of a generation: `<prefix><logical>-g<generation>`.
    public func actualSandboxName(_ logicalName: String, generation: Int) -> String {
        "\(namePrefix)\(logicalName)-g\(generation)"
    }

    /// The actual name of a volume: `<prefix><scope><logical>` (the scope is empty for `plain` naming),
    /// or `<prefix><logical>` for `adopt: true`, which names a volume that exists before the fleet.
    public func actualVolumeName(_ volume: DesiredVolume) -> String {
        let scope = volume.spec.adopt == true ? "" : volumeNaming.scope(fleetID: fleetID)
        return "\(namePrefix)\(scope)\(volume.logicalName)"
    }
}

/// Builds the create request of a logical sandbox and its spec hash.
public enum CreateRequest {
    /// The request without our tags and name (what the hash covers), or nil while a mounted volume has no id.
    public static func base(_ desired: DesiredSandbox, volumeIDs: [String: String]) -> SandboxSpec? {
        let template = desired.template
        var mounts: [String: String]?
        if let volumeMounts = template.volumeMounts {
            var resolved: [String: String] = [:]
            for (path, logical) in volumeMounts {
                guard let id = volumeIDs[logical] else { return nil }
                resolved[path] = id
            }
            mounts = resolved
        }
        return SandboxSpec(
            image: template.image,
            snapshotId: template.snapshotID,
            name: nil,
            tags: desired.tags.isEmpty ? nil : .init(additionalProperties: desired.tags),
            command: template.command,
            args: template.args,
            env: template.env.map { .init(additionalProperties: $0) },
            envGroups: template.envGroups,
            volumeMounts: mounts.map { .init(additionalProperties: $0) },
            networking: template.networking?.map { entry in
                SandboxNetworkingSpec(
                    port: Int64(entry.port),
                    domains: entry.domains?.map { .init(domain: $0.domain, visibility: $0.visibility.flatMap(Components.Schemas.SandboxDomainSpecVisibility.init(rawValue:))) },
                    _internal: entry.internal)
            },
            egress: template.egress.map { .init(allowedDestinations: $0.allowedDestinations) },
            resources: template.resources.map { .init(cpu: $0.cpu, memory: $0.memory) },
            ttlSeconds: template.ttlSeconds.map(Int64.init))
    }

    /// First 16 hex characters of SHA-256 over the canonical JSON of the request, our tags and the
    /// actual name left out (docs/design-decisions.md, "Ownership tags").
    public static func specHash(_ base: SandboxSpec) -> String {
        (try? SpecHash.of(base)) ?? ""
    }

    /// The full request: the base with the actual name and our ownership tags added.
    public static func full(_ base: SandboxSpec, fleet: String, logicalName: String, generation: Int, actualName: String, specHash: String) -> SandboxSpec {
        var spec = base
        spec.name = actualName
        var tags = base.tags?.additionalProperties ?? [:]
        tags[OwnershipTags.fleet] = fleet
        tags[OwnershipTags.name] = logicalName
        tags[OwnershipTags.generation] = String(generation)
        tags[OwnershipTags.specHash] = specHash
        spec.tags = .init(additionalProperties: tags)
        return spec
    }
}
