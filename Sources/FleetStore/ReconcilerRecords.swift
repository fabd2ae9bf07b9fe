import FleetModel
import Foundation

/// An actual sandbox porter-fleet created (or adopted) for a logical sandbox, as last observed.
public struct ActualSandboxRecord: Sendable, Equatable, Codable {
    /// The Sandbox API id.
    public var id: String
    /// The actual name (`<prefix><logical>-g<generation>`).
    public var name: String
    /// The logical sandbox it is a generation of.
    public var logicalName: String
    /// Its generation.
    public var generation: Int
    /// The `porter-fleet/spec-hash` it was created with.
    public var specHash: String
    /// The last phase observed.
    public var phase: String
    /// The exit code, once finished.
    public var exitCode: Int?
    /// Why it ended.
    public var terminationReason: String?
    /// When it was created.
    public var createdAt: Date
    /// When it started running.
    public var startedAt: Date?
    /// When it reached a terminal phase.
    public var finishedAt: Date?
    /// Whether it is still watched (live when last seen).
    public var tracked: Bool

    /// Creates a record.
    public init(
        id: String, name: String, logicalName: String, generation: Int, specHash: String, phase: String, exitCode: Int? = nil,
        terminationReason: String? = nil, createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, tracked: Bool
    ) {
        self.id = id
        self.name = name
        self.logicalName = logicalName
        self.generation = generation
        self.specHash = specHash
        self.phase = phase
        self.exitCode = exitCode
        self.terminationReason = terminationReason
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.tracked = tracked
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case logicalName = "logical_name"
        case generation
        case specHash = "spec_hash"
        case phase
        case exitCode = "exit_code"
        case terminationReason = "termination_reason"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case tracked
    }
}

/// The reconciler's view of one logical sandbox: generations, crash-loop backoff and reported status.
public struct LogicalSandboxStatus: Sendable, Equatable, Codable {
    /// The logical name (`api`, `agent-3`).
    public var logicalName: String
    /// The desired resource it comes from (`Sandbox/api`, `SandboxSet/agent`).
    public var owner: String
    /// The highest generation ever created.
    public var lastGeneration: Int
    /// Consecutive failed (or short-lived) generations.
    public var failureCount: Int
    /// The spec hash those failures belong to: a generation of another spec that fails starts a new count.
    public var failingSpecHash: String?
    /// No new generation before this time.
    public var backoffUntil: Date?
    /// Whether it runs what is desired.
    public var sync: SyncStatus
    /// How it is doing.
    public var health: HealthStatus
    /// The current generation's phase.
    public var phase: String?
    /// The current generation.
    public var generation: Int?
    /// The current generation's id.
    public var actualID: String?
    /// The current generation's name.
    public var actualName: String?
    /// A short explanation.
    public var message: String
    /// When sync or health last changed.
    public var lastTransitionAt: Date

    /// Creates a status.
    public init(
        logicalName: String, owner: String, lastGeneration: Int = 0, failureCount: Int = 0, failingSpecHash: String? = nil,
        backoffUntil: Date? = nil, sync: SyncStatus = .outOfSync, health: HealthStatus = .missing, phase: String? = nil, generation: Int? = nil, actualID: String? = nil,
        actualName: String? = nil, message: String = "", lastTransitionAt: Date
    ) {
        self.logicalName = logicalName
        self.owner = owner
        self.lastGeneration = lastGeneration
        self.failureCount = failureCount
        self.failingSpecHash = failingSpecHash
        self.backoffUntil = backoffUntil
        self.sync = sync
        self.health = health
        self.phase = phase
        self.generation = generation
        self.actualID = actualID
        self.actualName = actualName
        self.message = message
        self.lastTransitionAt = lastTransitionAt
    }

    enum CodingKeys: String, CodingKey {
        case logicalName = "logical_name"
        case owner
        case lastGeneration = "last_generation"
        case failureCount = "failure_count"
        case failingSpecHash = "failing_spec_hash"
        case backoffUntil = "backoff_until"
        case sync, health, phase, generation
        case actualID = "actual_id"
        case actualName = "actual_name"
        case message
        case lastTransitionAt = "last_transition_at"
    }
}

/// A create about to be sent, recorded first so that a create that times out or crashes midway is
/// settled by name instead of being sent again under another name.
public struct CreateIntent: Sendable, Equatable, Codable {
    /// The actual name to create.
    public var actualName: String
    /// `sandbox` or `volume`.
    public var kind: String
    /// The logical resource.
    public var logicalName: String
    /// The generation (sandboxes).
    public var generation: Int
    /// When the intent was recorded.
    public var createdAt: Date

    /// Creates an intent.
    public init(actualName: String, kind: String, logicalName: String, generation: Int, createdAt: Date) {
        self.actualName = actualName
        self.kind = kind
        self.logicalName = logicalName
        self.generation = generation
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case actualName = "actual_name"
        case kind
        case logicalName = "logical_name"
        case generation
        case createdAt = "created_at"
    }
}

/// A volume porter-fleet created or adopted: the record of ownership (volumes carry no tags).
public struct OwnedVolume: Sendable, Equatable, Codable {
    /// The logical name.
    public var logicalName: String
    /// The Sandbox API id.
    public var volumeID: String
    /// The actual name.
    public var actualName: String
    /// Adopted (`adopt: true`) rather than created.
    public var adopted: Bool
    /// The last known `deletion_policy` (`retain` or `delete`), kept for when the resource is gone.
    public var deletionPolicy: String
    /// When it was recorded.
    public var createdAt: Date
    /// When it was retained because it was no longer desired (nil while desired). A retained volume is
    /// still porter-fleet's: declared again, it is used again.
    public var retainedAt: Date?

    /// Creates a record.
    public init(
        logicalName: String, volumeID: String, actualName: String, adopted: Bool, deletionPolicy: String, createdAt: Date, retainedAt: Date? = nil
    ) {
        self.logicalName = logicalName
        self.volumeID = volumeID
        self.actualName = actualName
        self.adopted = adopted
        self.deletionPolicy = deletionPolicy
        self.createdAt = createdAt
        self.retainedAt = retainedAt
    }

    enum CodingKeys: String, CodingKey {
        case logicalName = "logical_name"
        case volumeID = "volume_id"
        case actualName = "actual_name"
        case adopted
        case deletionPolicy = "deletion_policy"
        case createdAt = "created_at"
        case retainedAt = "retained_at"
    }
}

/// An event: what the reconciler did or saw, folded with its repeats (like Kubernetes events).
public struct FleetEvent: Sendable, Equatable, Codable {
    /// Row id.
    public var id: Int64?
    /// What it is about: a sandbox, a volume or the fleet.
    public var kind: EventSubject
    /// The logical name (the fleet id for the fleet).
    public var name: String
    /// Routine or needing attention.
    public var type: EventType
    /// Why it was recorded.
    public var reason: EventReason
    /// What happened.
    public var message: String
    /// How many times (repeats are folded).
    public var count: Int
    /// First occurrence.
    public var firstAt: Date
    /// Last occurrence.
    public var lastAt: Date
    /// The object as it was when the event was recorded (`SandboxSet/agent[2]`), so that history reads as
    /// it happened after the set changed; nil for events recorded before objects were (then derived from
    /// the desired state as it is).
    public var object: String?

    /// Creates an event.
    public init(kind: EventSubject, name: String, type: EventType, reason: EventReason, message: String, at: Date, object: String? = nil) {
        self.kind = kind
        self.name = name
        self.object = object
        self.type = type
        self.reason = reason
        self.message = message
        self.count = 1
        self.firstAt = at
        self.lastAt = at
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, name, type, reason, message, count, object
        case firstAt = "first_at"
        case lastAt = "last_at"
    }
}
