import ArgumentParser
import FleetDaemon
import FleetReconciler
import FleetStore
import Foundation
import Logging
import PorterSandbox

/// How commands reach the Sandbox API, resolved as the official SDKs do.
struct BackendOptions: ParsableArguments {
    @Option(
        name: .customLong("api-url"),
        help: ArgumentHelp(
            "The Sandbox API base URL (default: $PORTER_SANDBOX_BASE_URL; else PORTER_CLUSTER_ID with PORTER_SANDBOX_API_KEY; else in-cluster).",
            valueName: "url"))
    var apiURL: String?

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp("The Porter API token (default: $PORTER_SANDBOX_API_KEY; never printed).", valueName: "token"))
    var apiKey: String?

    /// Whether the Sandbox API is configured: not at all, wrongly (with what to do, in CLI terms), or well.
    enum Configuration: Equatable {
        case none
        case invalid(String)
        case configured
    }

    /// How the Sandbox API is configured by the flags and the environment.
    var configuration: Configuration {
        let environment = ProcessInfo.processInfo.environment
        let settings = [apiURL, apiKey] + ["PORTER_SANDBOX_BASE_URL", "PORTER_CLUSTER_ID", "PORTER_SANDBOX_API_KEY", "KUBERNETES_SERVICE_HOST"].map { environment[$0] }
        guard settings.contains(where: { !($0 ?? "").isEmpty }) else { return .none }
        do {
            _ = try PorterEndpoint.resolve(apiKey: apiKey, baseURL: apiURL)
            return .configured
        } catch let error as PorterError {
            return .invalid(Self.inCommandLineTerms(error.message))
        } catch {
            return .invalid("\(error)")
        }
    }

    /// Whether a backend is configured, well or not (flag or environment).
    var isConfigured: Bool { configuration != .none }

    /// The SDK's configuration messages name its parameters; the CLI's flags are named instead.
    static func inCommandLineTerms(_ message: String) -> String {
        message.replacingOccurrences(of: "pass apiKey or set PORTER_SANDBOX_API_KEY", with: "set PORTER_SANDBOX_API_KEY or pass --api-key")
    }

    /// Runs `body` with a client for the configured API, and shuts the client down afterwards.
    /// A connection that fails names the API it was for (`cannot reach the Sandbox API at URL: connection
    /// refused`), not only the transport's words.
    func withPorter<T>(logger: Logger, traffic: APITraffic? = nil, _ body: (Porter) async throws -> T) async throws -> T {
        let endpoint = try endpoint()
        let porter = traffic?.porter(endpoint: endpoint) ?? Porter(endpoint: endpoint, logger: logger)
        do {
            let value = try await body(porter)
            try? await porter.shutdown()
            return value
        } catch let error as PorterError where error.kind == .transport || error.kind == .timeout {
            try? await porter.shutdown()
            throw PorterError(kind: error.kind, message: "cannot reach the Sandbox API at \(endpoint.baseURL): \(Self.reason(error))")
        } catch {
            try? await porter.shutdown()
            throw error
        }
    }

    /// The gist of a transport failure (`connection refused`), without the networking stack's wrapping.
    static func reason(_ error: PorterError) -> String {
        if error.kind == .timeout { return error.message }
        for known in ["Connection refused", "Connection reset by peer", "No route to host", "Network is unreachable", "Name or service not known"]
        where error.message.contains(known) {
            return known.prefix(1).lowercased() + known.dropFirst()
        }
        return error.message
    }

    /// Runs `body` with a controller acting on `store` through the configured API, under flow control
    /// that learns from every attempt (``ControllerStack``). A connection that fails names the API.
    func withController<T>(
        store: any FleetStore, flags: ControllerFlags? = nil, logger: Logger, _ body: (FleetController) async throws -> T
    ) async throws -> T {
        let endpoint = try endpoint()
        do {
            return try await ControllerStack.with(store: store, endpoint: endpoint, options: flags?.options ?? ControllerOptions(), logger: logger) {
                try await body($0.controller)
            }
        } catch let error as PorterError where error.kind == .transport || error.kind == .timeout {
            throw PorterError(kind: error.kind, message: "cannot reach the Sandbox API at \(endpoint.baseURL): \(Self.reason(error))")
        }
    }

    /// The configured API's endpoint; a configuration error says what to set.
    func endpoint() throws -> PorterEndpoint {
        do {
            return try PorterEndpoint.resolve(apiKey: apiKey, baseURL: apiURL)
        } catch let error as PorterError {
            throw CommandFailure(Self.inCommandLineTerms(error.message))
        }
    }

    /// A client for the configured API, logging to `logger` (retries at debug); a configuration error says
    /// what to set. With `traffic`, every attempt goes through its flow control and metrics, and the SDK logs
    /// to the traffic's logger instead.
    func makePorter(logger: Logger, traffic: APITraffic? = nil) throws -> Porter {
        let endpoint = try endpoint()
        return traffic?.porter(endpoint: endpoint) ?? Porter(endpoint: endpoint, logger: logger)
    }
}

/// Options of commands that act on the fleet.
struct ControllerFlags: ParsableArguments {
    @Option(help: "API calls in flight at most: the ceiling of the adaptive limit, which finds what the API can take.")
    var concurrency = 64

    @Option(help: "A hard cap on API calls a second (default: none; flow control adapts to the API).")
    var qps: Double?

    @Option(help: "Replacements in flight at most (default: 25% of the desired sandboxes, at least 1).")
    var maxSurge: Int?

    @Flag(
        name: [.customLong("allow-prune"), .customLong("allow-empty")],
        help: "Terminate sandboxes no longer desired even when they are most of the fleet (lifts the prune guard; --allow-empty is the old name).")
    var allowPrune = false

    /// The largest `--concurrency` and `--max-surge`: as many as a fleet may hold.
    static let maximumInFlight = 10_000
    /// The largest `--qps`.
    static let maximumQPS = 1_000_000.0

    func validate() throws {
        guard (1...Self.maximumInFlight).contains(concurrency) else {
            throw ValidationError("--concurrency must be between 1 and \(Self.maximumInFlight), not \(concurrency)")
        }
        if let qps, !(qps > 0 && qps <= Self.maximumQPS) {
            throw ValidationError("--qps must be a number above 0 and at most \(Int(Self.maximumQPS)), not \(qps)")
        }
        if let maxSurge, !(1...Self.maximumInFlight).contains(maxSurge) {
            throw ValidationError("--max-surge must be between 1 and \(Self.maximumInFlight), not \(maxSurge)")
        }
    }

    var options: ControllerOptions {
        var options = ControllerOptions()
        options.flow.ceiling = concurrency
        options.flow.queriesPerSecond = qps
        options.maxSurge = maxSurge
        options.allowPrune = allowPrune
        return options
    }
}
