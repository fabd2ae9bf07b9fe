import FleetStore
import Foundation
import PorterSandbox

/// One thing a reconcile pass does, with its reason.
public enum PlannedAction: Sendable, Equatable {
    /// Create a volume under its actual name (an intent is recorded first).
    case createVolume(logicalName: String, actualName: String)
    /// Record an existing volume as ours: it was created by an unfinished intent, or `adopt: true`.
    case adoptVolume(logicalName: String, volumeID: String, actualName: String, adopted: Bool)
    /// Delete a volume we own whose `deletion_policy` is `delete` and that nothing live uses.
    case deleteVolume(logicalName: String, volumeID: String)
    /// Forget a retained volume that is no longer desired.
    case releaseVolume(logicalName: String, volumeID: String)
    /// Create a generation of a logical sandbox.
    case createSandbox(logicalName: String, generation: Int, actualName: String, spec: SandboxSpec, specHash: String, reason: String)
    /// Terminate an actual sandbox of this fleet.
    case terminateSandbox(id: String, actualName: String, logicalName: String, reason: String)

    /// A one-line description for `plan` and logs.
    public var summary: String {
        switch self {
        case .createVolume(let logical, let actual): "create volume \(actual) for Volume/\(logical)"
        case .adoptVolume(let logical, let id, let actual, let adopted): "\(adopted ? "adopt" : "record") volume \(actual) (\(id)) as Volume/\(logical)"
        case .deleteVolume(let logical, let id): "delete volume \(id) of Volume/\(logical)"
        case .releaseVolume(let logical, let id): "retain volume \(id) of Volume/\(logical) and forget it"
        case .createSandbox(_, _, let actual, _, _, let reason): "create sandbox \(actual): \(reason)"
        case .terminateSandbox(_, let actual, _, let reason): "terminate sandbox \(actual): \(reason)"
        }
    }

    /// Whether this only cleans up: terminating an orphan, deleting or forgetting a volume.
    public var isCleanup: Bool {
        switch self {
        case .terminateSandbox(_, _, _, let reason): reason == "no longer desired"
        case .deleteVolume, .releaseVolume: true
        default: false
        }
    }
}

/// What one pass would do: actions in order, the status of every logical sandbox, events and when to
/// look again.
public struct Plan: Sendable, Equatable {
    /// Actions in the order to run them (volumes before the sandboxes that mount them).
    public var actions: [PlannedAction] = []
    /// The status of every desired logical sandbox after this plan (generations and backoff as the
    /// plan found them; the controller completes them after executing).
    public var statuses: [LogicalSandboxStatus] = []
    /// Events this plan records (drift, backoff, conflicts, the empty-state guard).
    public var events: [PlannedEvent] = []
    /// Logical sandboxes waiting for something, with the earliest time to look again.
    public var requeueAt: Date?

    /// Creates an empty plan.
    public init() {}

    /// Whether nothing needs doing.
    public var isEmpty: Bool { actions.isEmpty }
}

/// An event a plan records.
public struct PlannedEvent: Sendable, Equatable {
    /// `Sandbox`, `SandboxSet`, `Volume` or `Fleet`.
    public var kind: String
    /// The logical name.
    public var name: String
    /// `Normal` or `Warning`.
    public var type: String
    /// The reason word.
    public var reason: String
    /// What happened.
    public var message: String

    /// Creates an event.
    public init(kind: String, name: String, type: String = "Normal", reason: String, message: String) {
        self.kind = kind
        self.name = name
        self.type = type
        self.reason = reason
        self.message = message
    }
}
