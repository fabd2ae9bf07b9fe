import CoreMetrics
import FleetModel
import Foundation
import Prometheus
import Synchronization

/// A daemon's metrics (docs/operations.md lists them): recorded through swift-metrics into one Prometheus
/// registry of its own, exposed by swift-prometheus in the text format on `/metrics`.
///
/// API traffic is counted per attempt (every retry too), so throttling the SDK retried away still shows.
public final class FleetMetrics: Sendable {
    /// The registry behind `/metrics`; one a daemon, never the process-wide default.
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let roleState = Mutex(RoleState(role: .starting, leaseEnds: nil))
    private let leader: CoreMetrics.Gauge
    private let passDuration: CoreMetrics.Timer
    private let lastSuccess: CoreMetrics.Gauge
    private let driftEvents: CoreMetrics.Counter
    private let flowLimit: CoreMetrics.Gauge
    private let flowRate: CoreMetrics.Gauge

    /// Bucket bounds of the pass-duration histogram.
    static let passBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map { .milliseconds(Int64($0 * 1000)) }
    /// Bucket bounds of the API-latency histogram.
    static let attemptBuckets: [Duration] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map {
        .microseconds(Int64($0 * 1_000_000))
    }

    /// Empty metrics, with `porter_fleet_build_info` set for `version`.
    public init(version: String = "unknown") {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            "porter_fleet_reconcile_duration_seconds": Self.passBuckets,
            "porter_fleet_api_request_duration_seconds": Self.attemptBuckets,
        ]
        self.factory = factory
        leader = CoreMetrics.Gauge(label: "porter_fleet_leader", factory: factory)
        passDuration = CoreMetrics.Timer(label: "porter_fleet_reconcile_duration_seconds", factory: factory)
        lastSuccess = CoreMetrics.Gauge(label: "porter_fleet_last_successful_pass_timestamp_seconds", factory: factory)
        driftEvents = CoreMetrics.Counter(label: "porter_fleet_drift_events_total", factory: factory)
        flowLimit = CoreMetrics.Gauge(label: "porter_fleet_flow_concurrency_limit", factory: factory)
        flowRate = CoreMetrics.Gauge(label: "porter_fleet_flow_learned_rate", factory: factory)
        CoreMetrics.Gauge(label: "porter_fleet_build_info", dimensions: [("version", version)], factory: factory).record(1)
        for result in ["success", "error"] { passes(result).increment(by: 0) }
        leader.record(0)
    }

    private func passes(_ result: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "porter_fleet_reconcile_total", dimensions: [("result", result)], factory: factory)
    }

    /// Records one pass that ran to its end (`success` when no action failed).
    public func record(_ result: ReconcileResult, duration: TimeInterval, at now: Date = Date()) {
        passes(result.failed.isEmpty ? "success" : "error").increment()
        passDuration.recordNanoseconds(Int64(duration * 1e9))
        if result.failed.isEmpty { lastSuccess.record(now.timeIntervalSince1970) }
        for done in result.succeeded { action(done.kind.rawValue, "success").increment() }
        for failure in result.failed { action(failure.kind.rawValue, "error").increment() }
        var health = Dictionary(uniqueKeysWithValues: HealthStatus.allCases.map { ($0.rawValue, 0) })
        for status in result.plan.statuses { health[status.health.rawValue, default: 0] += 1 }
        for (name, count) in health {
            CoreMetrics.Gauge(label: "porter_fleet_sandboxes", dimensions: [("health", name)], factory: factory).record(count)
        }
        driftEvents.increment(by: Int64(result.plan.events.filter { $0.reason == .drift }.count))
    }

    private func action(_ kind: String, _ result: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "porter_fleet_actions_total", dimensions: [("action", kind), ("result", result)], factory: factory)
    }

    /// Records a pass that failed before it could act.
    public func recordError(duration: TimeInterval) {
        passes("error").increment()
        passDuration.recordNanoseconds(Int64(duration * 1e9))
    }

    /// Records one HTTP attempt: by method, route and exact status code (or `timeout`, `transport`), and
    /// its latency by route.
    public func recordAttempt(method: String, route: String, outcome: AttemptOutcome, latency: Duration) {
        CoreMetrics.Counter(
            label: "porter_fleet_api_requests_total", dimensions: [("method", method), ("route", route), ("code", outcome.metricCode)],
            factory: factory
        ).increment()
        CoreMetrics.Timer(label: "porter_fleet_api_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(latency.nanoseconds)
    }

    /// Records a retry the SDK made of `operation` (the API's operation ID, e.g. `runSandbox`).
    public func recordRetry(operation: String) {
        CoreMetrics.Counter(label: "porter_fleet_api_retries_total", dimensions: [("operation", operation)], factory: factory).increment()
    }

    /// Records what flow control does now.
    public func recordFlow(_ snapshot: FlowControl.Snapshot) {
        flowLimit.record(snapshot.limit)
        flowRate.record(snapshot.learnedRate ?? 0)
    }

    /// What the daemon is doing now (leader or standby; `porter_fleet_leader` and `/readyz`). A leader
    /// says how long its lease has left: past that, it reports itself a standby whatever it is doing.
    public func setRole(_ role: ControllerRole, leaseLeft: Duration? = nil) {
        roleState.withLock { $0 = RoleState(role: role, leaseEnds: leaseLeft.map { ContinuousClock.now + $0 }) }
        leader.record(self.role.isLeader ? 1 : 0)
    }

    /// A renewed lease: a leader keeps its role for `leaseLeft` more.
    public func leaseRenewed(leaseLeft: Duration) {
        roleState.withLock { state in
            if state.role.isLeader { state.leaseEnds = ContinuousClock.now + leaseLeft }
        }
    }

    /// What the daemon is doing now: as last set, except that a leader whose lease has run out without a
    /// renewal (the process was stopped, the store is slow to answer) is a standby from that moment, before
    /// the controller's next tick notices; another replica may be leading already.
    public var role: ControllerRole {
        roleState.withLock { state in
            if state.role.isLeader, let ends = state.leaseEnds, ContinuousClock.now >= ends { return .standby(holder: nil) }
            return state.role
        }
    }

    /// The Prometheus text exposition of every metric; `porter_fleet_leader` as of now.
    public func render() -> String {
        leader.record(role.isLeader ? 1 : 0)
        return registry.emitToString()
    }

    /// The role as set, and when a leader's lease ends.
    private struct RoleState {
        var role: ControllerRole
        var leaseEnds: ContinuousClock.Instant?
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : whole &+ attoseconds / 1_000_000_000
    }
}
