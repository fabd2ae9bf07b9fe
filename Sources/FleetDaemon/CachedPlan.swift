import FleetDashboard
import FleetReconciler
import Foundation
import PorterSandbox
import Synchronization

/// The pending plan for a dashboard: asked of a controller at most every few seconds, however many
/// pages ask (a plan lists the fleet through the API).
public final class CachedPlan: Sendable {
    private let makePlan: @Sendable () async throws -> Plan
    private let cached = Mutex<(plan: Plan, at: ContinuousClock.Instant)?>(nil)
    private let lifetime: Duration

    /// A cache asking `makePlan` at most every `lifetime`.
    public init(lifetime: Duration = .seconds(5), _ makePlan: @escaping @Sendable () async throws -> Plan) {
        self.lifetime = lifetime
        self.makePlan = makePlan
    }

    /// The cached plan, or a new one once it is older than its lifetime.
    public func plan() async throws -> Plan {
        if let cached = cached.withLock({ $0 }), ContinuousClock.now - cached.at < lifetime { return cached.plan }
        let plan = try await makePlan()
        cached.withLock { $0 = (plan, ContinuousClock.now) }
        return plan
    }
}

extension DashboardSource {
    /// The last log lines of sandbox `id` through `porter`, as `TIME LINE`.
    public static func logs(_ porter: Porter) -> @Sendable (String, Int) async throws -> [String] {
        { id, limit in
            try await porter.sandboxes.get(id: id).logs(limit: limit).map { "\(RFC3339DateTranscoder.format($0.timestamp)) \($0.line)" }
        }
    }
}
