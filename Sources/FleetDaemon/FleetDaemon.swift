import FleetDashboard
import FleetReconciler
import FleetStore
import Foundation
import Hummingbird
import LocalSandboxAPI
import Logging
import ServiceLifecycle

/// The controller daemon (`run`, `up`), built from a ``DaemonConfiguration``: the controller service
/// (lease, passes), the manifest directory it follows, and one HTTP application for the dashboard,
/// metrics and health, run as one service group until SIGTERM or SIGINT.
public enum FleetDaemon {
    /// Runs the daemon on `store` until a shutdown signal; the client is closed on the way out. A
    /// listener that cannot bind throws ``ListenFailure`` naming the address.
    public static func run(store: any FleetStore, configuration: DaemonConfiguration, hooks: DaemonHooks = DaemonHooks()) async throws {
        let metrics = FleetMetrics(version: configuration.version)
        try await ControllerStack.with(
            store: store, endpoint: configuration.endpoint, options: configuration.controller, metrics: metrics, logger: configuration.logger
        ) { stack in
            let services = services(store: store, stack: stack, metrics: metrics, configuration: configuration, hooks: hooks)
            let group =
                configuration.handlesSignals
                ? ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: configuration.logger)
                : ServiceGroup(services: services, logger: configuration.logger)
            do {
                try await group.run()
            } catch {
                throw ListenFailure.explain(error, address: configuration.listen?.description ?? "", option: "--metrics-listen")
            }
        }
    }

    /// The services, in start order (they stop in reverse).
    static func services(
        store: any FleetStore, stack: ControllerStack, metrics: FleetMetrics, configuration: DaemonConfiguration, hooks: DaemonHooks
    ) -> [any Service] {
        let latest = LatestPass()
        let controllerService = FleetControllerService(
            store: store, controller: stack.controller, metrics: metrics, resync: configuration.resync,
            leaseDuration: Double(configuration.leaseDuration.components.seconds), logger: configuration.logger,
            onPass: { result in
                latest.record(result)
                hooks.onPass(result)
            })
        var services: [any Service] = [controllerService]
        if let directory = configuration.manifestDirectory {
            services.append(ManifestSync(directory: directory, logger: configuration.logger))
        }
        guard let address = configuration.listen else { return services }
        let updates = DashboardUpdates(store: store, logger: configuration.logger)
        let plan = CachedPlan { try await stack.controller.plan() }
        let source = DashboardSource(
            store: store, role: { metrics.role.summary }, lastPass: { latest.summary },
            // The last pass's plan while it found nothing to do (the next pass runs at once when the
            // desired state changes, and sees the API within the resync); else the controller plans.
            plan: {
                if let last = latest.summary, last.succeeded, last.plan.isInSync { return last.plan }
                return try await plan.plan()
            },
            logs: DashboardSource.logs(stack.porter))
        let router = FleetHTTPApplication.router(
            metrics: metrics, dashboard: DashboardMount(source: source, settings: configuration.dashboard, token: configuration.dashboardToken, updates: updates))
        let logger = configuration.logger
        services.append(
            FleetHTTPApplication.application(router: router, address: address, logger: logger) { port in
                let url = "http://\(address.bound(to: port))/"
                logger.info("dashboard on \(url), metrics on \(url)metrics")
                hooks.onListening(url)
            })
        // Last, so it stops first: it ends the pages' update streams, which the listener waits for.
        services.append(updates)
        return services
    }
}
