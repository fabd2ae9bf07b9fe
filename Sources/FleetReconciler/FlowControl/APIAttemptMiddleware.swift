import Foundation
import HTTPTypes
import OpenAPIRuntime
import PorterSandbox

/// Sees every HTTP attempt the SDK makes (it runs after the SDK's retry middleware): waits for
/// ``FlowControl`` before sending, then reports the outcome and latency to it and to ``FleetMetrics``.
/// Cancelled attempts are not reported: they say nothing about the API.
public struct APIAttemptMiddleware: ClientMiddleware {
    let flow: FlowControl
    let metrics: FleetMetrics?

    /// Reports to `flow` and, when given, `metrics`.
    public init(flow: FlowControl, metrics: FleetMetrics?) {
        self.flow = flow
        self.metrics = metrics
    }

    /// Waits for flow control, sends the attempt, and reports how it ended (a cancelled one is not reported).
    public func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let sentAt = try await flow.beforeAttempt()
        let started = ContinuousClock.now
        let route = APIRoute.template(of: request.path ?? "/")
        do {
            let (response, responseBody) = try await next(request, body, baseURL)
            let retryAfter = RetryAfter.parse(response.headerFields[.retryAfter])
            await report(.answered(status: response.status.code), request, route, operationID, started, sentAt, retryAfter)
            return (response, responseBody)
        } catch {
            guard !(error is CancellationError) else { throw error }
            let outcome: AttemptOutcome = (error as? PorterError)?.kind == .timeout ? .timeout : .transport
            await report(outcome, request, route, operationID, started, sentAt, nil)
            throw error
        }
    }

    private func report(
        _ outcome: AttemptOutcome, _ request: HTTPRequest, _ route: String, _ operationID: String, _ started: ContinuousClock.Instant,
        _ sentAt: Date, _ retryAfter: Duration?
    ) async {
        let latency = ContinuousClock.now - started
        await flow.record(outcome, operation: operationID, latency: latency, sentAt: sentAt, retryAfter: retryAfter)
        guard let metrics else { return }
        metrics.recordAttempt(method: request.method.rawValue, route: route, outcome: outcome, latency: latency)
        metrics.recordFlow(flow.snapshot)
    }
}

/// Route templates of the Sandbox API, for metric labels: `/v1/sandbox/sbx_123/logs` → `/v1/sandbox/{id}/logs`.
public enum APIRoute {
    /// Path segments after a collection that are routes of their own, not identifiers.
    static let fixedSegments: Set<Substring> = ["counts", "run", "lookup"]

    /// The template of `path` (the query dropped; the segment after `/v1/COLLECTION` becomes `{id}` unless it
    /// is a fixed route).
    public static func template(of path: String) -> String {
        let pathOnly = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var segments = pathOnly.split(separator: "/", omittingEmptySubsequences: true)
        if segments.count >= 3, segments[0] == "v1", !fixedSegments.contains(segments[2]) { segments[2] = "{id}" }
        return "/" + segments.joined(separator: "/")
    }
}

/// The `Retry-After` header: delay-seconds or an HTTP date.
public enum RetryAfter {
    /// The pause `value` asks for, or nil when there is none or it cannot be read.
    public static func parse(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return seconds >= 0 ? .seconds(seconds) : nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }
}
