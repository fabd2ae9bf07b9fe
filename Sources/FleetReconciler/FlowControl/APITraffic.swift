import Logging
import PorterSandbox

/// What a controller's SDK client is built with so that its traffic is governed and seen: the
/// ``FlowControl`` every attempt waits for and reports to, the ``FleetMetrics`` attempts and retries are
/// counted in (a daemon's), and the logger the SDK writes its retries to (at debug).
public struct APITraffic: Sendable {
    /// The limits.
    public let flow: FlowControl
    /// Where attempts are counted, when anywhere.
    public let metrics: FleetMetrics?
    /// Where the SDK logs.
    public let logger: Logger

    /// Traffic governed by `flow`, counted in `metrics`, logged to `logger` (nothing by default).
    public init(flow: FlowControl, metrics: FleetMetrics?, logger: Logger = Logger(label: "porter-sandbox", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.flow = flow
        self.metrics = metrics
        self.logger = logger
    }

    /// The middleware to give the SDK client.
    public var middleware: APIAttemptMiddleware { APIAttemptMiddleware(flow: flow, metrics: metrics) }

    /// The SDK client's retry hook: counts the retry.
    public var onRetry: @Sendable (String, Int) -> Void {
        { [metrics] operation, _ in metrics?.recordRetry(operation: operation) }
    }

    /// A client for `endpoint` whose traffic this governs.
    public func porter(endpoint: PorterEndpoint) -> Porter {
        Porter(endpoint: endpoint, logger: logger, middlewares: [middleware], onRetry: onRetry)
    }
}
