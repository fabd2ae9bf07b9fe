import ArgumentParser
import FleetReconciler
import FleetStore
import Foundation
import PorterSandbox

/// How commands reach the Sandbox API, resolved as the official SDKs do.
struct BackendOptions: ParsableArguments {
    @Option(
        name: .customLong("api-url"),
        help: ArgumentHelp(
            "The Sandbox API base URL (default: $PORTER_SANDBOX_BASE_URL; else PORTER_CLUSTER_ID with PORTER_SANDBOX_API_KEY; else in-cluster).",
            valueName: "url"))
    var apiURL: String?

    /// Whether a backend is configured at all (flag or environment).
    var isConfigured: Bool {
        (try? PorterEndpoint.resolve(baseURL: apiURL)) != nil
    }

    /// Runs `body` with a client for the configured API, and shuts the client down afterwards.
    func withPorter<T>(_ body: (Porter) async throws -> T) async throws -> T {
        let porter = try makePorter()
        do {
            let value = try await body(porter)
            try? await porter.shutdown()
            return value
        } catch {
            try? await porter.shutdown()
            throw error
        }
    }

    /// Runs `body` with a controller acting on `store` through the configured API.
    func withController<T>(store: any FleetStore, flags: ControllerFlags? = nil, _ body: (FleetController) async throws -> T) async throws -> T {
        try await withPorter { porter in
            try await body(FleetController(store: store, backend: PorterSandboxBackend(porter: porter), options: flags?.options ?? ControllerOptions()))
        }
    }

    /// A client for the configured API; a configuration error says what to set.
    func makePorter() throws -> Porter {
        do {
            return try Porter(baseURL: apiURL)
        } catch let error as PorterError {
            throw CommandFailure(error.message)
        }
    }
}

/// Options of commands that act on the fleet.
struct ControllerFlags: ParsableArguments {
    @Option(help: "Actions in flight at most.")
    var concurrency = 16

    @Option(help: "API calls a second at most (token bucket, burst twice this).")
    var qps = 20.0

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
        guard qps > 0, qps <= Self.maximumQPS else {
            throw ValidationError("--qps must be a number above 0 and at most \(Int(Self.maximumQPS)), not \(qps)")
        }
        if let maxSurge, !(1...Self.maximumInFlight).contains(maxSurge) {
            throw ValidationError("--max-surge must be between 1 and \(Self.maximumInFlight), not \(maxSurge)")
        }
    }

    var options: ControllerOptions {
        var options = ControllerOptions()
        options.concurrency = concurrency
        options.queriesPerSecond = qps
        options.burst = Int(qps * 2)
        options.maxSurge = maxSurge
        options.allowPrune = allowPrune
        return options
    }
}
