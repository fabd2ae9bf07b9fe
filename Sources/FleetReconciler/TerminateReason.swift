/// Why a plan terminates a live sandbox of the fleet.
public enum TerminateReason: Sendable, Equatable, CustomStringConvertible {
    /// Another live generation with the same spec is kept.
    case duplicate(of: Int)
    /// Its replacement is running.
    case replaced(by: Int)
    /// Neither it nor the kept generation has the desired spec (the spec changed again while it was being
    /// replaced): the kept one runs until its own replacement does.
    case outdated(keeping: Int)
    /// Its logical name is no longer desired (an orphan).
    case noLongerDesired
    /// Its TTL is about to run out and the generation created ahead of it is running.
    case rotated(by: Int)

    /// Whether terminating it only cleans up (what `gc` does).
    public var isCleanup: Bool { self == .noLongerDesired }

    /// The words `plan`, events and logs show.
    public var description: String {
        switch self {
        case .duplicate(let generation): "duplicate of generation \(generation)"
        case .replaced(let generation): "replaced by generation \(generation)"
        case .outdated(let generation): "outdated, like generation \(generation), which is kept until the desired spec runs"
        case .noLongerDesired: "no longer desired"
        case .rotated(let generation): "its TTL is about to run out; generation \(generation) runs in its place"
        }
    }
}
