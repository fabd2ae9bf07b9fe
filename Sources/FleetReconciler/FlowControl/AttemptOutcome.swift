import Foundation

/// How one HTTP attempt to the Sandbox API ended, as flow control and the metrics see it. An attempt is
/// one request on the wire: a call the SDK retries three times is four attempts.
public enum AttemptOutcome: Sendable, Equatable {
    /// The server answered with this status code.
    case answered(status: Int)
    /// The attempt did not finish within its timeout.
    case timeout
    /// The connection failed (refused, reset, protocol error) before an answer.
    case transport

    /// The server said it is over capacity: 429 (over quota) or 503 (overloaded).
    public var isThrottle: Bool {
        if case .answered(let status) = self { return status == 429 || status == 503 }
        return false
    }

    /// A sign of congestion that lowers the concurrency limit: a throttle or a timeout.
    public var isCongestion: Bool { isThrottle || self == .timeout }

    /// The server answered and did not push back: any status but 429 and 503. A 404 or 409 is an answer
    /// about the resource, not about capacity, and counts as a good sample.
    public var isAnswerWithoutPushback: Bool {
        if case .answered = self { return !isThrottle }
        return false
    }

    /// The `code` label of `porter_fleet_api_requests_total`: the exact status, or `timeout`, `transport`.
    public var metricCode: String {
        switch self {
        case .answered(let status): String(status)
        case .timeout: "timeout"
        case .transport: "transport"
        }
    }
}
