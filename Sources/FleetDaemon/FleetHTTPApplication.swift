import FleetDashboard
import FleetReconciler
import Foundation
import Hummingbird
import Logging

/// The daemon's one HTTP application on its listen address: the dashboard (`/`), `/metrics` (Prometheus
/// text), `/healthz` (the process answers) and `/readyz` (200 for a leader whose passes succeed and for
/// a standby, 503 otherwise; the body names the role). The dashboard's routes come first, so its access
/// check covers `/metrics` too.
public enum FleetHTTPApplication {
    /// The router of every route; tests drive it with Hummingbird's router testing, without a socket.
    public static func router(metrics: FleetMetrics, dashboard: DashboardMount?) -> Router<BasicRequestContext> {
        let router = Router()
        if let dashboard {
            DashboardRoutes.add(to: router, source: dashboard.source, settings: dashboard.settings, token: dashboard.token, updates: dashboard.updates)
        }
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            let role = metrics.role
            return Response(status: role.isReady ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: role.summary + "\n")))
        }
        return router
    }

    /// The application listening on `address`; `onListening` gets the port bound (for port 0).
    static func application(
        router: Router<BasicRequestContext>, address: ListenAddress, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? address.port) }, logger: logger)
    }
}

/// The dashboard as mounted on a listener: where its data comes from, its settings and access token, and
/// the update stream its pages follow.
public struct DashboardMount: Sendable {
    /// The dashboard's data.
    public var source: DashboardSource
    /// Logs on or off, and the token from the environment.
    public var settings: DashboardSettings
    /// The bearer token required, when one is (off loopback).
    public var token: String?
    /// The pages' update stream, a service of the daemon.
    public var updates: DashboardUpdates

    /// A mount.
    public init(source: DashboardSource, settings: DashboardSettings, token: String?, updates: DashboardUpdates) {
        self.source = source
        self.settings = settings
        self.token = token
        self.updates = updates
    }
}
