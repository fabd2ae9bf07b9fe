import ArgumentParser
import FleetDashboard
import FleetReconciler
import FleetStore
import Foundation
import Hummingbird
import Logging
import PorterSandbox
import Synchronization

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

/// The pending plan for a dashboard: asked of a controller at most every few seconds, however many
/// pages ask (a plan lists the fleet through the API).
final class CachedPlan: Sendable {
    private let makePlan: @Sendable () async throws -> Plan
    private let cached = Mutex<(plan: Plan, at: ContinuousClock.Instant)?>(nil)
    private let lifetime: Duration

    init(lifetime: Duration = .seconds(5), _ makePlan: @escaping @Sendable () async throws -> Plan) {
        self.lifetime = lifetime
        self.makePlan = makePlan
    }

    func plan() async throws -> Plan {
        if let cached = cached.withLock({ $0 }), ContinuousClock.now - cached.at < lifetime { return cached.plan }
        let plan = try await makePlan()
        cached.withLock { $0 = (plan, ContinuousClock.now) }
        return plan
    }
}

extension DashboardSource {
    /// The last log lines of sandbox `id` through `porter`, as `TIME LINE`.
    static func logs(_ porter: Porter) -> @Sendable (String, Int) async throws -> [String] {
        { id, limit in
            try await porter.sandboxes.get(id: id).logs(limit: limit).map { "\(RFC3339DateTranscoder.format($0.timestamp)) \($0.line)" }
        }
    }
}
