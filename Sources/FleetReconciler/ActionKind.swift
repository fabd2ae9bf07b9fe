/// The kinds of action a pass takes, as the `action` label of `porter_fleet_actions_total` names them.
public enum ActionKind: String, Sendable, Equatable, CaseIterable {
    /// A sandbox created.
    case createSandbox = "create_sandbox"
    /// A create found to have taken effect already, and the sandbox taken as ours.
    case adoptSandbox = "adopt_sandbox"
    /// A sandbox terminated.
    case terminateSandbox = "terminate_sandbox"
    /// A volume created.
    case createVolume = "create_volume"
    /// An existing volume taken as ours (`adopt: true`).
    case adoptVolume = "adopt_volume"
    /// A volume an earlier pass created, recorded as ours.
    case recordVolume = "record_volume"
    /// A volume deleted.
    case deleteVolume = "delete_volume"
    /// A retained volume forgotten.
    case retainVolume = "retain_volume"
    /// Drop the record of a volume that no longer exists.
    case forgetVolume = "forget_volume"
    /// The creates of a pass recorded in the store before they are sent.
    case recordIntents = "record_intents"
}
