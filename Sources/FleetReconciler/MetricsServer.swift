import Foundation
import Hummingbird
import Logging

/// The daemon's metrics listener: `/metrics` (Prometheus text), `/healthz` (the process answers) and
/// `/readyz` (200 for a leader whose passes succeed and for a standby, 503 otherwise; the body names the role).
/// `configure` adds to the router first (the dashboard: its access check then covers `/metrics` too).
public func buildMetricsServer(
    host: String, port: Int, metrics: FleetMetrics, logger: Logger, configure: (Router<BasicRequestContext>) -> Void = { _ in },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let router = Router()
    configure(router)
    router.get("/metrics") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
    router.get("/healthz") { _, _ in "ok\n" }
    router.get("/readyz") { _, _ -> Response in
        let role = metrics.role
        return Response(
            status: role.isReady ? .ok : .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: role.summary + "\n")))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
        logger: logger)
}
