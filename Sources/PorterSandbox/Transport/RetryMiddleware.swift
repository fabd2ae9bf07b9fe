import Foundation
import HTTPTypes
import OpenAPIRuntime

/// How the client retries failed attempts (reference §1.6).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (3: at most four attempts).
    public var maxRetries: Int
    /// The cap of the first backoff; each later cap doubles.
    public var initialBackoff: Duration
    /// The largest cap.
    public var maxBackoff: Duration

    /// The official SDKs' policy: 3 retries, full-jitter backoff from 0.5 s doubling up to 8 s.
    public static let standard = RetryPolicy(maxRetries: 3, initialBackoff: .milliseconds(500), maxBackoff: .seconds(8))
    /// No retries at all.
    public static let none = RetryPolicy(maxRetries: 0, initialBackoff: .zero, maxBackoff: .zero)

    /// Creates a policy.
    public init(maxRetries: Int, initialBackoff: Duration, maxBackoff: Duration) {
        self.maxRetries = max(0, maxRetries)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The cap of the sleep before retry `n` (0-based): `min(initial × 2ⁿ, max)`.
    public func backoffCap(beforeRetry n: Int) -> Duration {
        var cap = initialBackoff
        for _ in 0..<min(n, 62) {
            cap = cap * 2
            if cap >= maxBackoff { return maxBackoff }
        }
        return min(cap, maxBackoff)
    }

    /// A uniformly random sleep in `[0, cap]` before retry `n` (full jitter).
    func jitteredBackoff(beforeRetry n: Int) -> Duration {
        let capNanos = backoffCap(beforeRetry: n).nanosecondsClamped
        guard capNanos > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...capNanos))
    }
}

/// Retries 429, 5xx and transport errors that are not timeouts, up to the policy's count, with
/// full-jitter backoff; never exec, never a timed-out attempt, never a body that cannot be replayed.
/// `Retry-After` is ignored, like the official SDKs do.
struct RetryMiddleware: ClientMiddleware {
    let policy: RetryPolicy
    let onRetry: @Sendable (_ operationID: String, _ attempt: Int, _ reason: String) -> Void

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let retryable =
            !PorterRequestOptions.operationsNeverRetried.contains(operationID)
            && (body == nil || body?.iterationBehavior == .multiple)
        var retry = 0
        while true {
            let reason: String
            do {
                let (response, responseBody) = try await next(request, body, baseURL)
                let code = response.status.code
                guard retryable, retry < policy.maxRetries, code == 429 || (500...599).contains(code) else {
                    return (response, responseBody)
                }
                reason = "HTTP \(code)"
            } catch {
                let porterError = PorterError.from(error)
                guard retryable, retry < policy.maxRetries, porterError.kind == .transport,
                    !(error is CancellationError)
                else { throw error }
                reason = porterError.message
            }
            try await Task.sleep(for: policy.jitteredBackoff(beforeRetry: retry))
            retry += 1
            onRetry(operationID, retry, reason)
        }
    }
}
