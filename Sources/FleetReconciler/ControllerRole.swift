/// What a daemon is doing, as `/readyz` reports it: leading (and whether its passes succeed), standing
/// by behind another holder of the lease, or unable to reach its store.
public enum ControllerRole: Sendable, Equatable {
    /// Started, the lease not yet tried.
    case starting
    /// Holds the lease; `lastPassSucceeded` is nil until its first pass ends.
    case leader(lastPassSucceeded: Bool?)
    /// Another process holds the lease (`holder`, when known); this one takes over when it expires.
    case standby(holder: String?)
    /// The store cannot be reached, so this process neither leads nor knows who does.
    case storeUnavailable(String)

    /// Whether `/readyz` answers 200: a leader whose last pass succeeded, or a standby. A leader before
    /// its first successful pass, after a failed one, or a process without its store answers 503.
    public var isReady: Bool {
        switch self {
        case .leader(let succeeded): succeeded == true
        case .standby: true
        case .starting, .storeUnavailable: false
        }
    }

    /// The first line of `/readyz`'s body: the role, then why.
    public var summary: String {
        switch self {
        case .starting: "starting: the lease has not been tried yet"
        case .leader(nil): "leader: the first pass has not finished yet"
        case .leader(true?): "leader: passes succeed"
        case .leader(false?): "leader: the last pass failed"
        case .standby(let holder?): "standby: the lease is held by \(holder)"
        case .standby(nil): "standby: the lease is held by another process"
        case .storeUnavailable(let detail): "store unavailable: \(detail)"
        }
    }

    /// Whether this process acts (`porter_fleet_leader`).
    public var isLeader: Bool {
        if case .leader = self { return true }
        return false
    }
}
