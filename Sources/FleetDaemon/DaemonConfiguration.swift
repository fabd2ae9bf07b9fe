import FleetDashboard
import FleetReconciler
import FleetStore
import Foundation
import Logging
import PorterSandbox

/// Everything the daemon is built from, as plain values: the command line (or a test) fills one in and
/// ``FleetDaemon/run(store:configuration:hooks:)`` builds the services from it.
public struct DaemonConfiguration: Sendable {
    /// The Sandbox API the controller acts on.
    public var endpoint: PorterEndpoint
    /// The controller's options (flow control, surge, prune guard, logger).
    public var controller: ControllerOptions
    /// Time between passes when nothing else wakes the controller.
    public var resync: Duration = .seconds(10)
    /// How long the single-writer lease lasts unless renewed.
    public var leaseDuration: Duration = .seconds(15)
    /// Where the HTTP application (dashboard, metrics, health) listens; nil: no listener.
    public var listen: ListenAddress? = ListenAddress(host: "127.0.0.1", port: 9464)
    /// The dashboard's settings (logs, the token from the environment).
    public var dashboard = DashboardSettings(token: nil, showLogs: false)
    /// The bearer token the listener requires (required off loopback).
    public var dashboardToken: String?
    /// A directory of manifests that is the desired state (`run --sync-from`), with how to apply it.
    public var manifestDirectory: ManifestDirectory?
    /// Whether SIGTERM and SIGINT stop the daemon gracefully (off for a daemon embedded in a test, which
    /// stops it by cancelling its task).
    public var handlesSignals = true
    /// The version reported by `porter_fleet_build_info`.
    public var version: String
    /// The daemon's logger.
    public var logger: Logger

    /// A configuration with the defaults of `run`.
    public init(endpoint: PorterEndpoint, controller: ControllerOptions = ControllerOptions(), version: String, logger: Logger) {
        self.endpoint = endpoint
        self.controller = controller
        self.version = version
        self.logger = logger
    }
}

/// A `HOST:PORT` to listen on.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The host or address (IPv6 without brackets).
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, IPv6 hosts in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The same host with the port bound.
    public func bound(to port: Int) -> ListenAddress { ListenAddress(host: host, port: port) }
}

/// A directory of manifests kept as the desired state: `apply` applies it with prune (and throws what is
/// wrong with it); the daemon calls it whenever a file in `path` changes.
public struct ManifestDirectory: Sendable {
    /// The directory.
    public var path: String
    /// Applies the directory to the store.
    public var apply: @Sendable () async throws -> ApplyReport

    /// A directory and how to apply it.
    public init(path: String, apply: @escaping @Sendable () async throws -> ApplyReport) {
        self.path = path
        self.apply = apply
    }
}

/// What the daemon tells its caller as it runs.
public struct DaemonHooks: Sendable {
    /// The listener's URL, once it accepts connections.
    public var onListening: @Sendable (String) -> Void
    /// Each pass's result.
    public var onPass: @Sendable (ReconcileResult) -> Void

    /// Hooks; none by default.
    public init(onListening: @escaping @Sendable (String) -> Void = { _ in }, onPass: @escaping @Sendable (ReconcileResult) -> Void = { _ in }) {
        self.onListening = onListening
        self.onPass = onPass
    }
}
