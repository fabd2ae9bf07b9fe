import FleetModel
import FleetReconciler
import FleetStore
import Foundation
import Synchronization

/// Where the dashboard reads from: the store, and what the process running it knows beyond the store
/// (the controller's role, its last pass and plan, a way to the API's logs).
public struct DashboardSource: Sendable {
    /// The store shown.
    public var store: any FleetStore
    /// The controller's role in words (`leader`, `standby (holder: …)`), or what this process is.
    public var role: @Sendable () -> String
    /// The latest pass the controller of this process ran, if it runs one.
    public var lastPass: @Sendable () -> PassSummary?
    /// The pending actions of the next pass; nil when nothing can plan (no API configured).
    public var plan: @Sendable () async throws -> Plan?
    /// The last log lines of a sandbox by id, when an API is configured.
    public var logs: (@Sendable (_ sandboxID: String, _ limit: Int) async throws -> [String])?

    /// A source over `store`.
    public init(
        store: any FleetStore, role: @escaping @Sendable () -> String, lastPass: @escaping @Sendable () -> PassSummary? = { nil },
        plan: @escaping @Sendable () async throws -> Plan? = { nil },
        logs: (@Sendable (_ sandboxID: String, _ limit: Int) async throws -> [String])? = nil
    ) {
        self.store = store
        self.role = role
        self.lastPass = lastPass
        self.plan = plan
        self.logs = logs
    }
}

/// One pass as the header shows it.
public struct PassSummary: Sendable, Equatable {
    /// When it ended.
    public var endedAt: Date
    /// How long it took, in seconds.
    public var duration: TimeInterval
    /// Whether every action succeeded.
    public var succeeded: Bool
    /// The plan it made.
    public var plan: Plan

    /// A summary of `result`, ended at `endedAt`.
    public init(_ result: ReconcileResult, endedAt: Date) {
        self.endedAt = endedAt
        duration = result.timings.observe + result.timings.execute + result.timings.record
        succeeded = result.failed.isEmpty
        plan = result.plan
    }
}

/// The latest pass of a daemon, kept for its dashboard.
public final class LatestPass: Sendable {
    private let latest = Mutex<PassSummary?>(nil)

    /// Nothing yet.
    public init() {}

    /// Keeps `result` as the latest.
    public func record(_ result: ReconcileResult, at date: Date = Date()) {
        latest.withLock { $0 = PassSummary(result, endedAt: date) }
    }

    /// The latest pass, if any ran.
    public var summary: PassSummary? { latest.withLock { $0 } }
}
