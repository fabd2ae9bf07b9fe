import FleetDashboard
import FleetReconciler
import FleetStore
import Foundation
import Hummingbird
import LocalSandboxAPI
import Logging
import PorterSandbox
import ServiceLifecycle

/// `porter-fleet dashboard`: the dashboard of a store without a controller running here (read-only).
/// With an endpoint it also shows the pending plan, asked of a controller built by ``ControllerStack``
/// (so its limits learn from the API like any other), and sandbox logs when the settings allow them.
public enum DashboardServer {
    /// Serves the dashboard on `address` until SIGTERM or SIGINT.
    public static func run(
        store: any FleetStore, endpoint: PorterEndpoint?, address: ListenAddress, settings: DashboardSettings, token: String?, logger: Logger,
        onListening: @escaping @Sendable (String) -> Void
    ) async throws {
        let stack = endpoint.map { ControllerStack(store: store, endpoint: $0, options: ControllerOptions(), metrics: nil, logger: logger) }
        defer { if let stack { Task { try? await stack.porter.shutdown() } } }
        let plan = stack.map { stack in CachedPlan { try await stack.controller.plan() } }
        let source = DashboardSource(
            store: store, role: { "none: a read-only view of the store" }, plan: { try await plan?.plan() },
            logs: stack.map { DashboardSource.logs($0.porter) })
        let updates = DashboardUpdates(store: store, logger: logger)
        let router = Router()
        DashboardRoutes.add(to: router, source: source, settings: settings, token: token, updates: updates)
        router.get("/healthz") { _, _ in "ok\n" }
        let app = FleetHTTPApplication.application(router: router, address: address, logger: logger) { port in
            onListening("http://\(address.bound(to: port))/")
        }
        // The updates stop first (services stop in reverse order): they end the pages' streams, which the
        // listener waits for.
        let group = ServiceGroup(services: [app, updates], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            throw ListenFailure.explain(error, address: address.description, option: "--listen")
        }
    }
}
