import FleetModel
import FleetStore

/// How `events` names the object of an event: a member of a set as `SandboxSet/NAME[i]` (there is no
/// Sandbox of that name to look for), everything else as `Kind/name`.
struct EventObjects {
    /// Set member logical name → (set name, index), for the sets desired now.
    private let members: [String: (set: String, index: Int)]

    /// The members of every desired set in `resources`.
    init(resources: [DesiredResource]) throws {
        var members: [String: (set: String, index: Int)] = [:]
        for resource in resources where resource.kind == .sandboxSet {
            for (index, name) in try resource.claim().names.enumerated() { members[name] = (resource.name, index) }
        }
        self.members = members
    }

    /// The object an event is about, as printed and as `--for` matches it.
    func object(of event: FleetEvent) -> String {
        if event.kind == .sandbox, let member = members[event.name] { return "SandboxSet/\(member.set)[\(member.index)]" }
        return "\(event.kind.rawValue)/\(event.name)"
    }

    /// Whether `event` is about `wanted` (`KIND/NAME`, kinds case-insensitive; a set matches its members).
    func event(_ event: FleetEvent, isAbout wanted: String) -> Bool {
        let object = object(of: event)
        let lowered = wanted.lowercased()
        return object.lowercased() == lowered || object.lowercased().hasPrefix(lowered + "[")
    }
}
