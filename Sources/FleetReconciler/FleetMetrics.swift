import FleetModel
import Foundation
import Synchronization

/// The controller's Prometheus metrics (docs/operations.md lists them), rendered in the text exposition format.
public final class FleetMetrics: Sendable {
    private struct State {
        var reconciles: [String: Int] = [:]
        var durationBuckets = [Int](repeating: 0, count: FleetMetrics.buckets.count)
        var durationSum = 0.0
        var durationCount = 0
        var actions: [String: Int] = [:]
        var sandboxes: [String: Int] = [:]
        var apiRequests: [String: Int] = [:]
        var driftEvents = 0
        var role = ControllerRole.starting
    }

    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private let state = Mutex(State())

    /// Creates empty metrics.
    public init() {}

    /// Records one pass.
    public func record(_ result: ReconcileResult, duration: TimeInterval) {
        state.withLock { state in
            state.reconciles[result.failed.isEmpty ? "success" : "error", default: 0] += 1
            state.durationSum += duration
            state.durationCount += 1
            for (index, bound) in Self.buckets.enumerated() where duration <= bound { state.durationBuckets[index] += 1 }
            for done in result.succeeded { state.actions["\(done.kind.rawValue),success", default: 0] += 1 }
            for failure in result.failed { state.actions["\(failure.kind.rawValue),error", default: 0] += 1 }
            var health = Dictionary(uniqueKeysWithValues: HealthStatus.allCases.map { ($0.rawValue, 0) })
            for status in result.plan.statuses { health[status.health.rawValue, default: 0] += 1 }
            state.sandboxes = health
            state.driftEvents += result.plan.events.filter { $0.reason == .drift }.count
        }
    }

    /// Records a failed pass (an error before any action).
    public func recordError(duration: TimeInterval) {
        state.withLock { state in
            state.reconciles["error", default: 0] += 1
            state.durationSum += duration
            state.durationCount += 1
            for (index, bound) in Self.buckets.enumerated() where duration <= bound { state.durationBuckets[index] += 1 }
        }
    }

    /// Records API calls by method, route and status code.
    public func recordAPI(method: String, route: String, code: String) {
        state.withLock { $0.apiRequests["\(method),\(route),\(code)", default: 0] += 1 }
    }

    /// What the daemon is doing now (leader or standby; `porter_fleet_leader` and `/readyz`).
    public func setRole(_ role: ControllerRole) { state.withLock { $0.role = role } }

    /// What the daemon is doing, as last set.
    public var role: ControllerRole { state.withLock { $0.role } }

    /// The Prometheus text exposition.
    public func render() -> String {
        state.withLock { state in
            var lines: [String] = []
            lines.append("# HELP porter_fleet_reconcile_total Reconcile passes by result.")
            lines.append("# TYPE porter_fleet_reconcile_total counter")
            for result in ["success", "error"] { lines.append("porter_fleet_reconcile_total{result=\"\(result)\"} \(state.reconciles[result] ?? 0)") }
            lines.append("# HELP porter_fleet_reconcile_duration_seconds Duration of reconcile passes.")
            lines.append("# TYPE porter_fleet_reconcile_duration_seconds histogram")
            for (index, bound) in Self.buckets.enumerated() {
                lines.append("porter_fleet_reconcile_duration_seconds_bucket{le=\"\(bound)\"} \(state.durationBuckets[index])")
            }
            lines.append("porter_fleet_reconcile_duration_seconds_bucket{le=\"+Inf\"} \(state.durationCount)")
            lines.append("porter_fleet_reconcile_duration_seconds_sum \(state.durationSum)")
            lines.append("porter_fleet_reconcile_duration_seconds_count \(state.durationCount)")
            lines.append("# HELP porter_fleet_actions_total Actions executed by kind and result.")
            lines.append("# TYPE porter_fleet_actions_total counter")
            for (key, value) in state.actions.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: ",")
                lines.append("porter_fleet_actions_total{action=\"\(parts[0])\",result=\"\(parts[1])\"} \(value)")
            }
            lines.append("# HELP porter_fleet_sandboxes Logical sandboxes by health.")
            lines.append("# TYPE porter_fleet_sandboxes gauge")
            for (health, value) in state.sandboxes.sorted(by: { $0.key < $1.key }) { lines.append("porter_fleet_sandboxes{health=\"\(health)\"} \(value)") }
            lines.append("# HELP porter_fleet_api_requests_total Sandbox API requests by method, route and status code.")
            lines.append("# TYPE porter_fleet_api_requests_total counter")
            for (key, value) in state.apiRequests.sorted(by: { $0.key < $1.key }) {
                let parts = key.split(separator: ",", omittingEmptySubsequences: false)
                lines.append("porter_fleet_api_requests_total{method=\"\(parts[0])\",route=\"\(parts[1])\",code=\"\(parts[2])\"} \(value)")
            }
            lines.append("# HELP porter_fleet_drift_events_total Drift detected.")
            lines.append("# TYPE porter_fleet_drift_events_total counter")
            lines.append("porter_fleet_drift_events_total \(state.driftEvents)")
            lines.append("# HELP porter_fleet_leader Whether this process holds the single-writer lease.")
            lines.append("# TYPE porter_fleet_leader gauge")
            lines.append("porter_fleet_leader \(state.role.isLeader ? 1 : 0)")
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
