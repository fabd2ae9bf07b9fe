import FleetDaemon
import FleetModel
import FleetReconciler
import FleetStore
import FleetStoreSQLite
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LocalSandboxAPI
import Logging
import PorterSandbox
import Synchronization
import Testing

/// The daemon built from a configuration value and run in this process against a real local Sandbox
/// API: what `run` and `up` start, without a subprocess.
@Suite("The daemon in process")
struct FleetDaemonTests {
    @Test func itConvergesServesItsListenerAndStopsWhenCancelled() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-daemon-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var api = LocalAPIConfiguration(dataDirectory: directory.appendingPathComponent("local").path)
        api.port = 0
        api.runtime = .simulated
        api.logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let local = try await RunningLocalAPI.start(configuration: api)
        let store = try SQLiteFleetStore(path: directory.appendingPathComponent("fleet.db").path)
        try store.claim(fleetID: nil)
        let text = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: agent\nspec:\n  replicas: 3\n  template:\n    image: img\n    command: [sleep, infinity]\n"
        _ = try store.apply(try ManifestParser.parse(text, file: "f.yaml").map { ($0, "f.yaml") }, sources: ["f.yaml"], prune: false, dryRun: false)

        var configuration = DaemonConfiguration(
            endpoint: try PorterEndpoint.resolve(apiKey: nil, baseURL: local.baseURL), version: "test",
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        configuration.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.resync = .milliseconds(200)
        configuration.handlesSignals = false
        let listening = Mutex<String?>(nil)
        let converged = Mutex(false)
        let hooks = DaemonHooks(
            onListening: { url in listening.withLock { $0 = url } },
            onPass: { result in if result.converged { converged.withLock { $0 = true } } })
        let daemon = Task { try await FleetDaemon.run(store: store, configuration: configuration, hooks: hooks) }
        let deadline = ContinuousClock.now + .seconds(30)
        while !converged.withLock({ $0 }) || listening.withLock({ $0 }) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(converged.withLock { $0 }, "the daemon converged the set")
        let url = try #require(listening.withLock { $0 })
        let (body, response) = try await URLSession.shared.data(from: URL(string: url + "readyz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200 && String(decoding: body, as: UTF8.self).hasPrefix("leader"))
        daemon.cancel()
        _ = try? await daemon.value
        #expect(try store.leaseHolder(now: Date()) == nil, "the lease is released on the way out")
        await local.stop()
    }
}
