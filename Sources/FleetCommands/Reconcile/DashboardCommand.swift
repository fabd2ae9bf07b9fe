import ArgumentParser
import FleetDaemon
import FleetStore
import Foundation

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
        let out = CommandOutput.current
        try await DashboardServer.run(
            store: fleetStore, endpoint: backend.isConfigured ? try backend.endpoint() : nil, address: ListenAddress(host: host, port: port),
            settings: dashboard.settings, token: token, logger: store.logging.logger(defaultLevel: .info)
        ) { url in out.line("dashboard: \(url) (Ctrl-C stops)") }
    }
}
