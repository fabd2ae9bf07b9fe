import FleetModel
import FleetStore
import FleetStoreSQLite
import FleetTestSupport
import Foundation
import LocalSandboxAPI
import Logging
import PorterSandbox
import Synchronization

@testable import FleetReconciler

/// A real local Sandbox API (simulated runtime) on 127.0.0.1, a real store file, an SDK client and a
/// controller for them.
struct ReconcilerHarness {
    let api: RunningLocalAPI
    let porter: Porter
    let store: SQLiteFleetStore
    let directory: URL
    let clock = OffsetClock()

    static func start(
        fleet: String = "default", faults: FaultSpec = .none, rateLimit: Double? = nil, runtime: LocalRuntimeKind = .simulated, retries: RetryPolicy = RetryPolicy(maxRetries: 3, initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(10))
    ) async throws -> ReconcilerHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-reconcile-\(UUID().uuidString)")
        var configuration = LocalAPIConfiguration(dataDirectory: directory.appendingPathComponent("local").path)
        configuration.port = 0
        configuration.runtime = runtime
        configuration.terminationGracePeriod = .milliseconds(300)
        configuration.simulated.queuedDelay = .milliseconds(5)
        configuration.simulated.creatingDelay = .milliseconds(5)
        configuration.faults = faults
        configuration.rateLimit = rateLimit
        configuration.seed = 11
        configuration.logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let api = try await RunningLocalAPI.start(configuration: configuration)
        let porter = try Porter(baseURL: api.baseURL, timeout: .seconds(30), retryPolicy: retries, environment: [:])
        let store = try SQLiteFleetStore(path: directory.appendingPathComponent("fleet.db").path)
        try store.claim(fleetID: fleet)
        return ReconcilerHarness(api: api, porter: porter, store: store, directory: directory)
    }

    func controller(_ configure: (inout ControllerOptions) -> Void = { _ in }) -> FleetController {
        var options = ControllerOptions()
        options.logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        configure(&options)
        return FleetController(store: store, backend: PorterSandboxBackend(porter: porter), options: options, clock: clock)
    }

    /// Applies manifest text as one file.
    func apply(_ text: String, prune: Bool = false) throws {
        let manifests = try ManifestParser.parse(text, file: "test.yaml")
        _ = try store.apply(manifests.map { ($0, "test.yaml") }, sources: ["test.yaml"], prune: prune, dryRun: false)
    }

    /// Passes until converged (or `limit` passes); returns every pass's result.
    @discardableResult
    func converge(_ controller: FleetController, limit: Int = 60) async throws -> [ReconcileResult] {
        var results: [ReconcileResult] = []
        for _ in 0..<limit {
            let result = try await controller.reconcileOnce()
            results.append(result)
            if result.converged { return results }
            try await Task.sleep(for: .milliseconds(30))
        }
        throw HarnessError(message: "not converged after \(limit) passes: \(results.last?.plan.statuses.map { "\($0.logicalName) \($0.health) \($0.message)" } ?? [])")
    }

    /// Live sandboxes by name.
    func liveNames(tags: [String: String] = [:]) async throws -> [String] {
        var names: [String] = []
        for try await sandbox in porter.sandboxes.all(tags: tags, phases: [.queued, .creating, .running]) { names.append(sandbox.name ?? "") }
        return names.sorted()
    }

    func stop() async {
        try? await porter.shutdown()
        await api.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

func sandboxYAML(_ name: String, image: String = "python:3.12-slim", extra: String = "") -> String {
    "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: \(name)\nspec:\n  image: \(image)\n  command: [sleep, infinity]\n\(extra)"
}
