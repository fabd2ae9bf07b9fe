import FleetModel
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
    /// Keep a volume no longer desired (`retain`, or adopted), remembered as retained so that declaring
    /// it again uses it again.
    case retainVolume(logicalName: String, volumeID: String)
    /// Drop the record of a volume that no longer exists in the API.
    case forgetVolume(logicalName: String, volumeID: String)
    /// Create a generation of a logical sandbox.
    case createSandbox(logicalName: String, generation: Int, actualName: String, spec: SandboxSpec, specHash: String, reason: CreateReason)
    /// Terminate an actual sandbox of this fleet.
    case terminateSandbox(id: String, actualName: String, logicalName: String, reason: TerminateReason)

    /// The fields a replacement of a drifted generation changes, where known.
    public var fieldChanges: [FieldChange] {
        if case .createSandbox(_, _, _, _, _, .replaceDrifted(_, let changes)) = self { return changes }
        return []
    }

    /// A one-line description for `plan` and logs.
    public var summary: String {
        switch self {
        case .createVolume(let logical, let actual): "create volume \(actual) for Volume/\(logical)"
        case .adoptVolume(let logical, let id, let actual, let adopted): "\(adopted ? "adopt" : "record") volume \(actual) (\(id)) as Volume/\(logical)"
        case .deleteVolume(let logical, let id): "delete volume \(id) of Volume/\(logical)"
        case .retainVolume(let logical, let id): "retain volume \(id) of Volume/\(logical) (kept; used again if declared again)"
        case .forgetVolume(let logical, let id): "forget volume \(id) of Volume/\(logical) (it no longer exists)"
        case .createSandbox(_, _, let actual, _, _, let reason): "create sandbox \(actual): \(reason)"
        case .terminateSandbox(_, let actual, _, let reason): "terminate sandbox \(actual): \(reason)"
        }
    }

    /// The summary without the field changes of a replacement, for output that lists them line by line.
    public var headline: String {
        if case .createSandbox(_, _, let actual, _, _, let reason) = self { return "create sandbox \(actual): \(reason.headline)" }
        return summary
    }

    /// Whether this only cleans up: terminating an orphan, deleting or forgetting a volume.
    public var isCleanup: Bool {
        switch self {
        case .terminateSandbox(_, _, _, let reason): reason.isCleanup
        case .deleteVolume, .retainVolume, .forgetVolume: true
        default: false
        }
    }

    /// Whether it acts on a sandbox (run concurrently) rather than a volume (run first, in order).
    public var isSandboxAction: Bool {
        switch self {
        case .createSandbox, .terminateSandbox: true
        default: false
        }
    }

    /// The logical sandbox or volume it is for.
    public var logicalName: String {
        switch self {
        case .createVolume(let logical, _), .adoptVolume(let logical, _, _, _), .deleteVolume(let logical, _), .retainVolume(let logical, _),
            .forgetVolume(let logical, _),
            .createSandbox(let logical, _, _, _, _, _), .terminateSandbox(_, _, let logical, _):
            logical
        }
    }

    /// What kind of action it is.
    public var kind: ActionKind {
        switch self {
        case .createVolume: .createVolume
        case .adoptVolume(_, _, _, let adopted): adopted ? .adoptVolume : .recordVolume
        case .deleteVolume: .deleteVolume
        case .retainVolume: .retainVolume
        case .forgetVolume: .forgetVolume
        case .createSandbox: .createSandbox
        case .terminateSandbox: .terminateSandbox
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
    /// Events this plan records (drift, backoff, conflicts, the prune guard).
    public var events: [PlannedEvent] = []
    /// Logical sandboxes waiting for something, with the earliest time to look again.
    public var requeueAt: Date?
    /// What the plan holds back on purpose, for people: terminations held by the prune guard, a volume
    /// whose name is taken. A plan that holds anything back is not in sync.
    public var held: [String] = []

    /// Creates an empty plan.
    public init() {}

    /// Whether nothing needs doing.
    public var isEmpty: Bool { actions.isEmpty }

    /// What keeps the fleet from being in sync, one line each: every logical sandbox not synced and
    /// settled (waiting on the surge limit, a backoff, a volume, its own start), then everything held.
    public var waitingOn: [String] {
        statuses.filter { !($0.sync == .synced && $0.health.isSettled) }.map { status in
            "\(status.logicalName): \(status.health.rawValue)\(status.message.isEmpty ? "" : ", \(status.message)")"
        } + held
    }

    /// In sync: nothing to do, every desired sandbox synced and healthy or completed, nothing held back.
    public var isInSync: Bool { actions.isEmpty && waitingOn.isEmpty }
}

/// An event a plan records.
public struct PlannedEvent: Sendable, Equatable {
    /// What it is about.
    public var kind: EventSubject
    /// The logical name (the fleet id for the fleet).
    public var name: String
    /// Routine or needing attention.
    public var type: EventType
    /// Why it is recorded.
    public var reason: EventReason
    /// What happened.
    public var message: String

    /// Creates an event.
    public init(kind: EventSubject, name: String, type: EventType = .normal, reason: EventReason, message: String) {
        self.kind = kind
        self.name = name
        self.type = type
        self.reason = reason
        self.message = message
    }
}
