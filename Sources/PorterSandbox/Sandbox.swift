import Foundation
import OpenAPIRuntime
import Synchronization

/// A handle on one sandbox, addressed by id, caching the last status it fetched.
///
/// Mirrors the official SDKs' `Sandbox`: ``phase`` and ``tags`` come from the cached status and are
/// nil until one has been fetched (a handle returned by `create` has none yet).
public final class Sandbox: Sendable, Identifiable {
    /// The sandbox's id; every operation addresses it.
    public let id: String
    private let createdName: String?
    private let cachedStatus: Mutex<SandboxStatus?>
    private let client: Client

    init(id: String, name: String?, client: Client) {
        self.id = id
        self.createdName = name
        self.cachedStatus = Mutex(nil)
        self.client = client
    }

    init(status: SandboxStatus, client: Client) {
        self.id = status.id
        self.createdName = status.name
        self.cachedStatus = Mutex(status)
        self.client = client
    }

    /// The last status fetched, if any.
    public var status: SandboxStatus? { cachedStatus.withLock { $0 } }
    /// The sandbox's name, when known from the create answer or a status.
    public var name: String? { status?.name ?? createdName }
    /// The cached phase; nil until a status has been fetched.
    public var phase: SandboxPhase? { status?.phase }
    /// The cached tags; nil until a status has been fetched.
    public var tags: [String: String]? {
        guard let status else { return nil }
        return status.tags?.additionalProperties ?? [:]
    }

    /// Fetches the status (`GET /v1/sandbox/{id}`), caches and returns it.
    @discardableResult
    public func refresh() async throws -> SandboxStatus {
        let status = try await PorterCall.perform { try await client.getSandbox(path: .init(id: id)).ok.body.json }
        cachedStatus.withLock { $0 = status }
        return status
    }

    /// Runs `command` (an argv list, no shell) and waits for it (`POST /v1/sandbox/{id}/exec`).
    ///
    /// Never retried, since a failed attempt may already have run the command. No client timeout
    /// unless `timeout` is given. A non-zero exit code is a normal result, not an error; a sandbox
    /// that is not `running` answers `conflict`.
    public func exec(_ command: [String], timeout: Duration? = nil) async throws -> ExecResult {
        let client = client
        let id = id
        return try await PorterCall.perform(timeout: timeout) {
            try await client.execSandbox(path: .init(id: id), body: .json(.init(command: command))).ok.body.json
        }
    }

    /// Log lines (`GET /v1/sandbox/{id}/logs`); they remain after the sandbox terminates.
    ///
    /// - Parameters:
    ///   - limit: the most lines (the server caps it at 5000; 0 is the server default).
    ///   - since: a Go-duration look-back window, e.g. `30m` or `1h30m`.
    public func logs(limit: Int? = nil, since: String? = nil) async throws -> [LogLine] {
        try await PorterCall.perform {
            try await client.getSandboxLogs(path: .init(id: id), query: .init(limit: limit.map(Int64.init), since: since))
                .ok.body.json.logs
        }
    }

    /// Terminates the sandbox (`DELETE /v1/sandbox/{id}`). Its record, logs and name remain.
    ///
    /// - Parameter source: who asked, recorded as the termination reason (`sdk` when nil).
    public func terminate(source: TerminationSource? = nil) async throws {
        _ = try await PorterCall.perform {
            try await client.deleteSandbox(path: .init(id: id), query: .init(source: source)).successful
        }
    }

    /// CPU and memory percentiles over a look-back window (`GET /v1/sandbox/{id}/metrics-summary`).
    public func metricsSummary(since: String? = nil) async throws -> MetricSummary {
        try await PorterCall.perform {
            try await client.getSandboxMetricsSummary(path: .init(id: id), query: .init(since: since)).ok.body.json
        }
    }

    /// One metric as a time series (`GET /v1/sandbox/{id}/metrics`).
    public func metrics(_ metric: SandboxMetric, start: String, end: String) async throws -> SandboxMetrics {
        try await PorterCall.perform {
            try await client.getSandboxMetrics(
                path: .init(id: id),
                query: .init(metric: metric, startTimeUtc: start, endTimeUtc: end)
            ).ok.body.json
        }
    }

    /// Captures the running sandbox's filesystem (or more), which keeps running (`POST /v1/sandbox/{id}/snapshot`).
    public func snapshot(mode: SnapshotMode? = nil) async throws -> Snapshot {
        try await PorterCall.perform {
            try await client.createSnapshot(path: .init(id: id), body: .json(.init(mode: mode))).successful.body.json
        }
    }
}
