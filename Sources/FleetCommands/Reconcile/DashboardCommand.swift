import ArgumentParser
import FleetDashboard
import FleetReconciler
import FleetStore
import Foundation
import Hummingbird
import LocalSandboxAPI
import Logging
import ServiceLifecycle

/// `porter-fleet dashboard`: the dashboard of a store, without running the controller.
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve the fleet's dashboard for a store, without running the controller (read-only).",
        discussion: """
            Shows what the store recorded (statuses, generations, events), live as a controller elsewhere \
            changes it; with a Sandbox API configured it also shows the pending plan (and, with \
            --dashboard-logs, sandbox logs). 'run' and 'up' serve the same dashboard on --metrics-listen. \
            Listening beyond loopback needs --dashboard-token. Ctrl-C stops.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var dashboard: DashboardFlags

    @Option(help: "Where to serve the dashboard.")
    var listen = "127.0.0.1:9464"

    func validate() throws {
        let (host, _) = try HostPort.parse(listen, option: "--listen")
        do { _ = try dashboard.settings.requiredToken(listeningOn: host) } catch { throw ValidationError("--listen: \(error.description)") }
    }

    func run() async throws {
        let (host, port) = try HostPort.parse(listen, option: "--listen")
        let token = try dashboard.token(listeningOn: host, option: "--listen")
        let fleetStore = try await store.open(create: false)
        let logger = store.logging.logger(defaultLevel: .info)
        let porter = backend.isConfigured ? try backend.makePorter(logger: logger) : nil
        defer { if let porter { Task { try? await porter.shutdown() } } }
        let plan = porter.map { porter in
            CachedPlan {
                try await FleetController(store: fleetStore, backend: PorterSandboxBackend(porter: porter), options: ControllerOptions()).plan()
            }
        }
        let source = DashboardSource(
            store: fleetStore, role: { "none: a read-only view of the store" }, plan: { try await plan?.plan() },
            logs: porter.map(DashboardSource.logs))
        let updates = DashboardUpdates(store: fleetStore, logger: logger)
        let router = Router()
        DashboardRoutes.add(to: router, source: source, settings: dashboard.settings, token: token, updates: updates)
        router.get("/healthz") { _, _ in "ok\n" }
        let out = CommandOutput.current
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                out.line("dashboard: http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/ (Ctrl-C stops)")
            }, logger: logger)
        // The updates stop first (services stop in reverse order): they end the pages' streams, which the
        // listener waits for.
        let group = ServiceGroup(services: [app, updates], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            throw ListenFailure.explain(error, address: listen, option: "--listen")
        }
    }
}
