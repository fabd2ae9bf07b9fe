/// A rule that ties fields of one object together.
public enum ObjectRule: Sendable {
    /// Exactly one of the two fields is given (`image` or `snapshot_id`).
    case exactlyOne(String, String)
    /// The boolean field `flag` is not `true` while the list field `list` has entries (`internal` and
    /// `domains`).
    case flagExcludesList(flag: String, list: String)

    /// The rule in words, for `explain` and the JSON Schema's description.
    public var description: String {
        switch self {
        case .exactlyOne(let first, let second): "give \(first) or \(second), not both"
        case .flagExcludesList(let flag, let list): "\(flag): true cannot be combined with \(list)"
        }
    }
}
