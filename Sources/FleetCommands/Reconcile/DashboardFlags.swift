import ArgumentParser
import FleetDashboard
import FleetStore
import Foundation

/// The dashboard's options, on `run`, `up` and `dashboard`.
struct DashboardFlags: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A bearer token for the dashboard and /metrics (env PORTER_FLEET_DASHBOARD_TOKEN); required when listening beyond loopback.",
            valueName: "token"))
    var dashboardToken: String?

    @Flag(help: "Show sandbox logs on the dashboard (off by default: logs may hold secrets).")
    var dashboardLogs = false

    /// The settings, the token from the environment when no flag gives one.
    var settings: DashboardSettings {
        DashboardSettings(token: dashboardToken ?? ProcessInfo.processInfo.environment["PORTER_FLEET_DASHBOARD_TOKEN"], showLogs: dashboardLogs)
    }

    /// The token to require on a listener at `host`; a listener off loopback without one is refused.
    func token(listeningOn host: String, option: String) throws -> String? {
        do {
            return try settings.requiredToken(listeningOn: host)
        } catch {
            throw CommandFailure("\(option): \(error.description)")
        }
    }
}
