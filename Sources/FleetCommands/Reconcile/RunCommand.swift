import ArgumentParser
import FleetDashboard
import FleetReconciler
import FleetStore
import Foundation
import Hummingbird
import LocalSandboxAPI
import Logging
import PorterSandbox
import ServiceLifecycle

/// `porter-fleet run`: the controller daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the controller: keep the fleet converged until SIGTERM or Ctrl-C.",
        discussion: """
            Passes run every --resync, at once when the desired state changes, and when a backoff ends. \
            Two daemons on one store never both act: one holds the lease, the other stands by and takes over \
            when the lease expires (any number of replicas may share a PostgreSQL store). Metrics, /healthz \
            and /readyz are served on --metrics-listen; /readyz names the role (leader or standby). SIGTERM \
            finishes the pass in flight, releases the lease and exits 0. With --sync-from DIR the desired \
            state is that directory of manifests, applied with prune at start and on every change.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var flags: ControllerFlags
    @OptionGroup var daemon: DaemonOptions

    @Option(
        help: ArgumentHelp(
            "Keep the desired state equal to this directory of manifests (e.g. a mounted ConfigMap): applied with prune at start and on every change.",
            valueName: "dir"))
    var syncFrom: String?

    func run() async throws {
        // With --sync-from the directory is the desired state, so a new SQLite store is created for it.
        let fleetStore = try await store.open(create: syncFrom != nil)
        var extra: [any Service] = []
        if let syncFrom {
            let report = try await ManifestSync.apply(syncFrom, to: fleetStore)
            CommandOutput.current.error("applied \(syncFrom) (revision \(report.revision), \(report.items.count) resources)")
            extra.append(ManifestSync(directory: syncFrom, store: fleetStore, logger: DaemonOptions.logger(store.logging)))
        }
        try await daemon.run(store: fleetStore, endpoint: try backend.endpoint(), flags: flags, logging: store.logging, extraServices: extra)
    }
}

/// Options of the daemon (`run` and `up`).
struct DaemonOptions: ParsableArguments {
    @Option(help: "Time between passes when nothing else wakes the controller, e.g. 10s.")
    var resync = "10s"

    @Option(help: "Where to serve the dashboard (/), /metrics, /healthz and /readyz ('off' to disable).")
    var metricsListen = "127.0.0.1:9464"

    @Option(help: "How long the single-writer lease lasts unless renewed (renewed every third of it).")
    var lease = "15s"

    @OptionGroup var dashboard: DashboardFlags

    func validate() throws {
        _ = try resyncInterval()
        _ = try leaseDuration()
        if metricsListen != "off" {
            let (host, _) = try HostPort.parse(metricsListen, option: "--metrics-listen")
            do { _ = try dashboard.settings.requiredToken(listeningOn: host) } catch { throw ValidationError("--metrics-listen: \(error.description)") }
        }
    }

    private func resyncInterval() throws -> Duration {
        try DurationFlag.parse(resync, flag: "--resync", example: "10s", minimum: .milliseconds(100))
    }

    private func leaseDuration() throws -> Duration {
        try DurationFlag.parse(lease, flag: "--lease", example: "15s", minimum: .seconds(1))
    }

    /// The daemon's logger: at --log-level, else info.
    static func logger(_ logging: LoggingOptions) -> Logger { logging.logger(defaultLevel: .info) }

    /// Runs the controller service (and the metrics listener) until a shutdown signal, with a client for
    /// `endpoint` whose every attempt goes through the daemon's flow control and metrics.
    func run(
        store: any FleetStore, endpoint: PorterEndpoint, flags: ControllerFlags, logging: LoggingOptions, extraServices: [any Service] = [],
        onListening: @escaping @Sendable (String) -> Void = { _ in }, onPass: @escaping @Sendable (ReconcileResult) -> Void = { _ in }
    ) async throws {
        let logger = Self.logger(logging)
        let token = try metricsListen == "off" ? nil : dashboard.token(listeningOn: try HostPort.parse(metricsListen, option: "--metrics-listen").0, option: "--metrics-listen")
        let metrics = FleetMetrics(version: PorterFleetVersion.current)
        var options = flags.options
        options.logger = logger
        let traffic = APITraffic(flow: FlowControl(options: options.flow), metrics: metrics, logger: logger)
        let porter = traffic.porter(endpoint: endpoint)
        do {
            try await run(
                store: store, porter: porter, flow: traffic.flow, metrics: metrics, logger: logger, options: options, token: token,
                extraServices: extraServices, onListening: onListening, onPass: onPass)
            try? await porter.shutdown()
        } catch {
            try? await porter.shutdown()
            throw error
        }
    }

    private func run(
        store: any FleetStore, porter: Porter, flow: FlowControl, metrics: FleetMetrics, logger: Logger, options: ControllerOptions, token: String?,
        extraServices: [any Service], onListening: @escaping @Sendable (String) -> Void, onPass: @escaping @Sendable (ReconcileResult) -> Void
    ) async throws {
        let controller = FleetController(store: store, backend: PorterSandboxBackend(porter: porter), options: options, flow: flow)
        let latest = LatestPass()
        let service = FleetControllerService(
            store: store, controller: controller, metrics: metrics, resync: try resyncInterval(),
            leaseDuration: Double(try leaseDuration().components.seconds), logger: logger,
            onPass: { result in
                latest.record(result)
                onPass(result)
            })
        var services: [any Service] = [service] + extraServices
        if metricsListen != "off" {
            let (host, port) = try HostPort.parse(metricsListen, option: "--metrics-listen")
            let metricsLogger = logger
            let updates = DashboardUpdates(store: store, logger: logger)
            let plan = CachedPlan { try await controller.plan() }
            let source = DashboardSource(
                store: store, role: { metrics.role.summary }, lastPass: { latest.summary },
                // The last pass's plan while it found nothing to do (the next pass runs at once when the
                // desired state changes, and sees the API within --resync); else the controller plans.
                plan: {
                    if let last = latest.summary, last.succeeded, last.plan.isInSync { return last.plan }
                    return try await plan.plan()
                },
                logs: DashboardSource.logs(porter))
            let settings = dashboard.settings
            services.append(
                buildMetricsServer(
                    host: host, port: port, metrics: metrics, logger: metricsLogger,
                    configure: { router in DashboardRoutes.add(to: router, source: source, settings: settings, token: token, updates: updates) }
                ) { bound in
                    let address = host.contains(":") ? "[\(host)]:\(bound)" : "\(host):\(bound)"
                    metricsLogger.info("dashboard on http://\(address)/, metrics on http://\(address)/metrics")
                    onListening("http://\(address)/")
                })
            // Last, so it stops first: it ends the pages' update streams, which the listener waits for.
            services.append(updates)
        }
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        do {
            try await group.run()
        } catch {
            throw ListenFailure.explain(error, address: metricsListen, option: "--metrics-listen")
        }
    }
}

/// `HOST:PORT` values.
enum HostPort {
    static func parse(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(option) '\(text)' is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("\(option) '\(text)' has no host") }
        return (host, port)
    }
}
