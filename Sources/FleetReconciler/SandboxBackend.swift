import Foundation
import PorterSandbox

/// A sandbox as the reconciler observes it in the Sandbox API.
public struct ObservedSandbox: Sendable, Equatable {
    /// The API id.
    public var id: String
    /// The actual name.
    public var name: String
    /// Its tags (ownership tags included).
    public var tags: [String: String] {
        didSet { readOwnership() }
    }
    /// Its phase.
    public var phase: SandboxPhase
    /// Its image.
    public var image: String
    /// Mount path → volume id.
    public var volumeMounts: [String: String]
    /// When it was created.
    public var createdAt: Date
    /// When it started running.
    public var startedAt: Date?
    /// When it finished.
    public var finishedAt: Date?
    /// Its exit code, once finished.
    public var exitCode: Int?
    /// Why it ended.
    public var terminationReason: TerminationReason?

    /// Creates an observation.
    public init(
        id: String, name: String, tags: [String: String], phase: SandboxPhase, image: String = "", volumeMounts: [String: String] = [:],
        createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, exitCode: Int? = nil, terminationReason: TerminationReason? = nil
    ) {
        self.id = id
        self.name = name
        self.tags = tags
        self.phase = phase
        self.image = image
        self.volumeMounts = volumeMounts
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.terminationReason = terminationReason
        readOwnership()
    }

    /// Reads the ownership tags once (they are consulted many times a pass).
    private mutating func readOwnership() {
        fleet = tags[OwnershipTags.fleet]
        logicalName = tags[OwnershipTags.name]
        generation = tags[OwnershipTags.generation].flatMap { Int($0) }
        specHash = tags[OwnershipTags.specHash]
    }

    /// The observation of an API status.
    public init(_ status: SandboxStatus) {
        self.init(
            id: status.id, name: status.name, tags: status.tags?.additionalProperties ?? [:], phase: status.phase, image: status.image,
            volumeMounts: status.volumeMounts?.additionalProperties ?? [:], createdAt: status.createdAt, startedAt: status.startedAt,
            finishedAt: status.finishedAt, exitCode: status.exitCode.map(Int.init), terminationReason: status.terminationReason)
    }

    /// The fleet in its `porter-fleet/fleet` tag.
    public private(set) var fleet: String?
    /// The logical name in its `porter-fleet/name` tag.
    public private(set) var logicalName: String?
    /// The generation in its `porter-fleet/generation` tag.
    public private(set) var generation: Int?
    /// The spec hash in its `porter-fleet/spec-hash` tag.
    public private(set) var specHash: String?

    /// Whether `fleet` owns this sandbox: its fleet tag, a logical name and a generation. A sandbox with
    /// the fleet tag alone was not created by porter-fleet and is never terminated by it.
    public func isOwned(by fleet: String) -> Bool {
        self.fleet == fleet && logicalName?.isEmpty == false && generation != nil
    }
}

/// A volume as the reconciler observes it.
public struct ObservedVolume: Sendable, Equatable {
    /// The API id.
    public var id: String
    /// Its name.
    public var name: String
    /// Its phase.
    public var phase: VolumePhase
    /// Sandboxes attached to it.
    public var attachedTo: [String]

    /// Creates an observation.
    public init(id: String, name: String, phase: VolumePhase, attachedTo: [String]) {
        self.id = id
        self.name = name
        self.phase = phase
        self.attachedTo = attachedTo
    }
}

/// The reconciler's only way to the Sandbox API: a seam so that the logic can be tested with a fake and
/// run against Porter or the local API through the SDK.
public protocol SandboxBackend: Sendable {
    /// The live (`queued`, `creating`, `running`) sandboxes carrying every tag given, all pages.
    func liveSandboxes(tags: [String: String]) async throws -> [ObservedSandbox]
    /// The ended (`succeeded`, `failed`, `terminated`) sandboxes carrying every tag given, all pages: the
    /// history the API keeps, read when the store has none.
    func endedSandboxes(tags: [String: String]) async throws -> [ObservedSandbox]
    /// One sandbox by id; nil when it does not exist.
    func sandbox(id: String) async throws -> ObservedSandbox?
    /// One sandbox by name; nil when there is none.
    func sandbox(named name: String) async throws -> ObservedSandbox?
    /// Creates a sandbox; returns its id. Throws ``PorterError`` (conflict when the name is taken).
    func createSandbox(_ spec: SandboxSpec) async throws -> String
    /// Terminates a sandbox; a missing or terminal one is fine.
    func terminateSandbox(id: String) async throws
    /// Every volume.
    func volumes() async throws -> [ObservedVolume]
    /// Creates a disk volume; returns it.
    func createVolume(name: String) async throws -> ObservedVolume
    /// Deletes a volume; a missing one is fine.
    func deleteVolume(id: String) async throws
}

/// The ownership tags every sandbox porter-fleet creates carries (docs/design-decisions.md, "Ownership tags").
public enum OwnershipTags {
    /// The fleet id.
    public static let fleet = "porter-fleet/fleet"
    /// The logical name.
    public static let name = "porter-fleet/name"
    /// The generation.
    public static let generation = "porter-fleet/generation"
    /// The spec hash.
    public static let specHash = "porter-fleet/spec-hash"
}
