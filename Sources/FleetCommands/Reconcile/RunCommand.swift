import ArgumentParser
import FleetDaemon
import FleetReconciler
import FleetStore
import Foundation
import Logging
import PorterSandbox

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
        var configuration = try daemon.configuration(endpoint: try backend.endpoint(), flags: flags, logging: store.logging)
        if let syncFrom {
            let directory = ManifestDirectory(path: syncFrom) { try await Self.apply(syncFrom, to: fleetStore) }
            let report = try await directory.apply()
            CommandOutput.current.error("applied \(syncFrom) (revision \(report.revision), \(report.items.count) resources)")
            configuration.manifestDirectory = directory
        }
        try await daemon.run(store: fleetStore, configuration: configuration)
    }

    /// Applies a directory of manifests with prune; throws what is wrong with it.
    static func apply(_ directory: String, to store: any FleetStore) async throws -> ApplyReport {
        let (manifests, sources) = try ManifestFiles.read([directory])
        do {
            return try await store.apply(manifests, sources: sources, prune: true, dryRun: false)
        } catch let error as FleetStoreError {
            throw CommandFailure(error.lines)  // worded for the log of a later sync, too
        }
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

    /// The daemon's configuration from these flags, acting on `endpoint`.
    func configuration(endpoint: PorterEndpoint, flags: ControllerFlags, logging: LoggingOptions) throws -> DaemonConfiguration {
        var configuration = DaemonConfiguration(
            endpoint: endpoint, controller: flags.options, version: PorterFleetVersion.current, logger: Self.logger(logging))
        configuration.resync = try resyncInterval()
        configuration.leaseDuration = try leaseDuration()
        configuration.dashboard = dashboard.settings
        if metricsListen == "off" {
            configuration.listen = nil
        } else {
            let (host, port) = try HostPort.parse(metricsListen, option: "--metrics-listen")
            configuration.listen = ListenAddress(host: host, port: port)
            configuration.dashboardToken = try dashboard.token(listeningOn: host, option: "--metrics-listen")
        }
        return configuration
    }

    /// Runs the daemon until a shutdown signal.
    func run(store: any FleetStore, configuration: DaemonConfiguration, hooks: DaemonHooks = DaemonHooks()) async throws {
        try await FleetDaemon.run(store: store, configuration: configuration, hooks: hooks)
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
