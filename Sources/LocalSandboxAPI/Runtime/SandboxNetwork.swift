import Foundation

/// The network a process sandbox gets, decided once when the runtime starts and stated at start-up,
/// in `/readyz` and by `porter-fleet doctor`.
public enum SandboxNetwork: Sendable, Equatable {
    /// A network namespace of its own per sandbox, given outbound connectivity by `slirp4netns` (user-mode
    /// networking, with the host's loopback out of reach), its declared `networking` port published on
    /// the host's 127.0.0.1.
    case slirp4netns(executable: String)
    /// A network namespace of its own with loopback only: no outbound connections, no published port.
    case loopbackOnly(reason: String)
    /// The host's network namespace: the host's loopback services and other sandboxes are reachable.
    case host(reason: String)

    /// The network this machine allows for sandboxes isolated as `isolation`.
    public static func detect(for isolation: ProcessIsolation, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> SandboxNetwork
    {
        guard case .bubblewrap(_, _, let user) = isolation else {
            return .host(reason: "without bubblewrap, sandboxes share the host's network: they reach every service on its loopback")
        }
        guard user != nil else {
            return .host(reason: "the server does not run as root, so sandboxes share its network namespace: they reach every service on the host's loopback")
        }
        guard let slirp = ProcessIsolation.locate("slirp4netns", environment: environment) else {
            return .loopbackOnly(reason: "slirp4netns is not installed: each sandbox has a network namespace of its own with loopback only (no outbound connections, no published port); apt-get install slirp4netns")
        }
        return .slirp4netns(executable: slirp)
    }

    /// Whether each sandbox gets a network namespace of its own.
    var isNamespaced: Bool {
        if case .host = self { return false }
        return true
    }

    /// What is in force, in one sentence.
    public var summary: String {
        switch self {
        case .slirp4netns: "a network namespace per sandbox (slirp4netns: outbound only, the host's loopback unreachable, the declared port published on 127.0.0.1)"
        case .loopbackOnly(let reason), .host(let reason): reason
        }
    }

    /// The warning to state, nil when sandboxes are fully apart from the host's network.
    public var warning: String? {
        switch self {
        case .slirp4netns: nil
        case .loopbackOnly(let reason), .host(let reason): reason
        }
    }
}
