import FleetDaemon
import FleetDashboard
import FleetReconciler
import FleetStore
import FleetStoreSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The daemon's HTTP surface through Hummingbird's router testing: no socket, since the socket is not
/// the point here.
@Suite("The daemon's HTTP application")
struct FleetHTTPApplicationTests {
    static func application(metrics: FleetMetrics, token: String? = nil) throws -> (some ApplicationProtocol, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteFleetStore(path: directory.appendingPathComponent("fleet.db").path)
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let source = DashboardSource(store: store, role: { metrics.role.summary }, plan: { nil })
        let mount = DashboardMount(
            source: source, settings: DashboardSettings(token: token, showLogs: false), token: token, updates: DashboardUpdates(store: store, logger: logger))
        return (Application(router: FleetHTTPApplication.router(metrics: metrics, dashboard: mount)), directory)
    }

    @Test func readinessFollowsTheRoleAndMetricsScrape() async throws {
        let metrics = FleetMetrics(version: "test")
        let (app, directory) = try Self.application(metrics: metrics)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == "ok\n")
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable, "not ready before the first lease")
            }
            metrics.setRole(.leader(lastPassSucceeded: true), leaseLeft: .seconds(15))
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body).hasPrefix("leader"))
            }
            metrics.setRole(.standby(holder: "other"))
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body).contains("other"), "a standby is ready: it can take over")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(String(buffer: response.body).contains("porter_fleet_leader 0"))
            }
        }
    }

    @Test func aTokenGuardsTheDashboardAndTheMetrics() async throws {
        let (app, directory) = try Self.application(metrics: FleetMetrics(version: "test"), token: "s3cret-token")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer s3cret-token"]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok, "health checks need no token")
            }
        }
    }
}
