import AsyncHTTPClient
import Foundation
import Logging
import OpenAPIRuntime

/// A client for the Porter Sandbox API, mirroring the official Python and TypeScript SDKs.
///
/// ```swift
/// let porter = try Porter()                       // base URL and key from the environment
/// let sandbox = try await porter.sandboxes.create(image: "python:3.12-slim", name: "api", command: ["sleep", "infinity"])
/// try await porter.shutdown()
/// ```
///
/// Requests go through AsyncHTTPClient with the official SDKs' transport rules: a 30 s default
/// timeout (none on exec and file transfers unless given), retries of 429, 5xx and connection errors
/// with full-jitter backoff (never exec, never a timeout), redirects that keep method and body and
/// drop `Authorization` across origins, and typed ``PorterError``s. The API key is never logged.
/// Call ``shutdown()`` when done.
public final class Porter: Sendable {
    /// The base URL and key in use.
    public let endpoint: PorterEndpoint
    /// The generated low-level client, for everything the ergonomic API does not wrap.
    /// Errors it throws are `ClientError`s whose `underlyingError` is a ``PorterError``.
    public let raw: Client
    /// Sandboxes: create, get, lookup, list, counts.
    public let sandboxes: Sandboxes
    /// Volumes: create, get, lookup, list, delete, files.
    public let volumes: Volumes
    /// Snapshots: create, get, list, delete.
    public let snapshots: Snapshots

    private let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    /// What ``raw`` was built from, for ``generatedClient(addingInnermost:)``.
    private let serverURL: URL
    private let configuration: Configuration
    private let transport: any ClientTransport
    private let middlewares: [any ClientMiddleware]

    /// The `User-Agent` this SDK sends.
    public static let userAgent = "porter-sandbox-swift/\(PorterSandboxVersion.current)"

    /// Creates a client, resolving the base URL and key as the official SDKs do (see ``PorterEndpoint``).
    ///
    /// - Parameters:
    ///   - apiKey: the Porter API token; otherwise `PORTER_SANDBOX_API_KEY`.
    ///   - baseURL: the API's base URL; otherwise resolved from the environment.
    ///   - timeout: the default timeout of every call but exec and file transfers.
    ///   - retryPolicy: how failed attempts are retried.
    ///   - environment: the environment to resolve from (injectable for tests).
    ///   - httpClient: an AsyncHTTPClient to use instead of a new one (then not shut down by ``shutdown()``).
    ///   - logger: where requests are logged at debug level (no-op by default).
    ///   - middlewares: extra middlewares, run for every attempt after the SDK's own (tracing, counting).
    ///   - onRetry: called before every retry with the operation ID and the retry's number (1 for the first).
    /// - Throws: ``PorterError`` of kind `invalidConfiguration` saying what to set.
    public convenience init(
        apiKey: String? = nil,
        baseURL: String? = nil,
        timeout: Duration = .seconds(30),
        retryPolicy: RetryPolicy = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "porter-sandbox", factory: { _ in SwiftLogNoOpLogHandler() }),
        middlewares: [any ClientMiddleware] = [],
        onRetry: @escaping @Sendable (_ operationID: String, _ retry: Int) -> Void = { _, _ in }
    ) throws {
        let endpoint = try PorterEndpoint.resolve(apiKey: apiKey, baseURL: baseURL, environment: environment)
        self.init(
            endpoint: endpoint, timeout: timeout, retryPolicy: retryPolicy, httpClient: httpClient, logger: logger, middlewares: middlewares,
            onRetry: onRetry)
    }

    /// Creates a client for an already-resolved endpoint (the parameters as above).
    public init(
        endpoint: PorterEndpoint,
        timeout: Duration = .seconds(30),
        retryPolicy: RetryPolicy = .standard,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "porter-sandbox", factory: { _ in SwiftLogNoOpLogHandler() }),
        middlewares extra: [any ClientMiddleware] = [],
        onRetry: @escaping @Sendable (_ operationID: String, _ retry: Int) -> Void = { _, _ in }
    ) {
        self.endpoint = endpoint
        if let httpClient {
            self.httpClient = httpClient
            self.ownsHTTPClient = false
        } else {
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
            configuration.timeout = .init(connect: .seconds(10))
            configuration.decompression = .enabled(limit: .none)
            // Connection failures surface at once; RetryMiddleware retries them with the SDK's policy
            // instead of the pool retrying until the request's deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            self.ownsHTTPClient = true
        }
        let transport = HTTPClientTransport(client: self.httpClient, defaultTimeout: timeout, logger: logger)
        let middlewares: [any ClientMiddleware] = [
            StatusMiddleware(),
            RetryMiddleware(policy: retryPolicy) { operationID, attempt, reason in
                logger.debug("retrying", metadata: ["operation": "\(operationID)", "retry": "\(attempt)", "reason": "\(reason)"])
                onRetry(operationID, attempt)
            },
            HeadersMiddleware(apiKey: endpoint.apiKey, userAgent: Self.userAgent),
            RedirectMiddleware(),
        ] + extra
        // The base URL was validated by PorterEndpoint; paths are appended to it as strings by the transport.
        let serverURL = URL(string: endpoint.baseURL) ?? URL(string: "http://127.0.0.1")!
        let configuration = Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
        let client = Client(serverURL: serverURL, configuration: configuration, transport: transport, middlewares: middlewares)
        self.serverURL = serverURL
        self.configuration = configuration
        self.transport = transport
        self.middlewares = middlewares
        self.raw = client
        self.sandboxes = Sandboxes(client: client)
        self.volumes = Volumes(client: client)
        self.snapshots = Snapshots(client: client)
    }

    /// A generated client that sends exactly as ``raw`` does (same transport, configuration and
    /// middlewares, so the same retries, redirects, headers and errors), with `extra` run for every
    /// attempt inside all of them, next to the transport.
    ///
    /// The package's seam for reading answers as they arrive on the wire (the controller's listing reads
    /// page bodies itself, see `PorterSandboxListing`) without rebuilding a generated request by hand.
    /// Not part of the SDK's public API.
    package func generatedClient(addingInnermost extra: [any ClientMiddleware]) -> Client {
        Client(serverURL: serverURL, configuration: configuration, transport: transport, middlewares: middlewares + extra)
    }

    /// `GET /healthz`: the service's health.
    public func health() async throws -> HealthStatus {
        try await PorterCall.perform { try await raw.healthCheck().ok.body.json }
    }

    /// `GET /readyz`: readiness, with the number of active sandboxes.
    public func readiness() async throws -> ReadinessStatus {
        try await PorterCall.perform { try await raw.readinessCheck().ok.body.json }
    }

    /// Closes the HTTP client's connections (unless it was passed in). Call once, when done.
    public func shutdown() async throws {
        if ownsHTTPClient { try await httpClient.shutdown() }
    }
}

/// The version of the `PorterSandbox` SDK.
public enum PorterSandboxVersion {
    /// The SDK's semantic version.
    public static let current = "0.1.0"
}
