import FleetModel

/// How `events` names the object of an event: a member of a set as `SandboxSet/NAME[i]` (there is no
/// Sandbox of that name to look for), everything else as `Kind/name`.
public struct EventObjects: Sendable {
    /// Set member logical name → (set name, index), for the sets desired now.
    private let members: [String: (set: String, index: Int)]

    /// The members of every desired set in `resources`.
    public init(resources: [DesiredResource]) throws {
        var members: [String: (set: String, index: Int)] = [:]
        for resource in resources where resource.kind == .sandboxSet {
            for (index, name) in try resource.claim().names.enumerated() { members[name] = (resource.name, index) }
        }
        self.members = members
    }

    /// The object an event is about, as printed and as `--for` matches it: as recorded, else as the
    /// desired state names it now.
    public func object(of event: FleetEvent) -> String {
        event.object ?? object(kind: event.kind.rawValue, name: event.name)
    }

    /// The object of a logical sandbox owned by `owner` (`Sandbox/api`, `SandboxSet/agent`): a set's member
    /// `agent-2` is `SandboxSet/agent[2]`, anything else `Sandbox/NAME`. What events record as they are written.
    public static func sandboxObject(_ name: String, owner: String?) -> String {
        let setPrefix = ResourceKind.sandboxSet.rawValue + "/"
        if let owner, owner.hasPrefix(setPrefix) {
            let set = owner.dropFirst(setPrefix.count)
            if name.hasPrefix(set + "-"), let index = Int(name.dropFirst(set.count + 1)) { return "\(owner)[\(index)]" }
        }
        return "\(ResourceKind.sandbox.rawValue)/\(name)"
    }

    /// `KIND/NAME`, or `SandboxSet/SET[INDEX]` for the logical sandbox of a set member.
    public func object(kind: String, name: String) -> String {
        if kind == ResourceKind.sandbox.rawValue, let member = members[name] { return "SandboxSet/\(member.set)[\(member.index)]" }
        return "\(kind)/\(name)"
    }

    /// The logical sandbox `name` as `-o name` prints it: `sandbox/NAME` or `sandboxset/SET[INDEX]`.
    public func sandboxName(_ name: String) -> String {
        Self.nameForm(object(kind: ResourceKind.sandbox.rawValue, name: name))
    }

    /// `KIND/NAME` as `-o name` prints it: the kind in lower case, as kubectl does.
    public static func nameForm(_ object: String) -> String {
        guard let slash = object.firstIndex(of: "/") else { return object }
        return object[..<slash].lowercased() + object[slash...]
    }

    /// Whether `event` is about `wanted` (`KIND/NAME`, kinds case-insensitive; a set matches its members).
    public func event(_ event: FleetEvent, isAbout wanted: String) -> Bool {
        let object = object(of: event)
        let lowered = wanted.lowercased()
        return object.lowercased() == lowered || object.lowercased().hasPrefix(lowered + "[")
    }
}
