import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import PorterSandbox
import ServiceLifecycle

/// Builds the local Sandbox API: a Hummingbird application serving every endpoint of
/// `docs/openapi.yaml` from the generated server code, with its state in SQLite under the data
/// directory and sandboxes run by the configured runtime. Run it with `run()` or `runService()`, or
/// add it to a `ServiceGroup`; on graceful shutdown live process sandboxes are stopped and recorded.
///
/// - Parameters:
///   - configuration: where to listen, where to keep state, which runtime, faults.
///   - onServerRunning: called with the bound port once connections are accepted.
public func buildLocalAPI(
    configuration: LocalAPIConfiguration,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> some ApplicationProtocol {
    let data = URL(fileURLWithPath: configuration.dataDirectory, isDirectory: true)
    let sandboxesRoot = data.appendingPathComponent("sandboxes")
    let volumesRoot = data.appendingPathComponent("volumes")
    for directory in [data, sandboxesRoot, volumesRoot] { try PrivateFiles.directory(directory) }
    let logger = configuration.logger
    let runtime: any SandboxRuntime =
        switch configuration.runtime {
        case .simulated: SimulatedRuntime(configuration: configuration.simulated)
        case .process:
            makeProcessRuntime(configuration: configuration, sandboxesRoot: sandboxesRoot, dataDirectory: data)
        }
    if let warning = runtime.isolationWarning { logger.warning("\(warning)") }
    let storePath = data.appendingPathComponent("local-api.sqlite")
    try PrivateFiles.file(storePath)
    let store = try LocalStore(path: storePath.path)
    let engine = LocalSandboxEngine(store: store, runtime: runtime, volumesRoot: volumesRoot, logger: logger)
    try await engine.load()

    let router = Router(context: LocalAPIRequestContext.self)
    let handler = LocalAPIHandler(engine: engine, configuration: configuration, runtime: runtime)
    try handler.registerHandlers(
        on: router,
        serverURL: URL(string: "/")!,
        configuration: Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
    )
    let faults = configuration.faults.isEmpty ? nil : FaultInjector(spec: configuration.faults, seed: configuration.seed)
    let responder = LocalAPIResponder(
        routes: router.buildResponder(), token: configuration.token, faults: faults, rateLimit: configuration.rateLimit.map(RequestRateLimit.init(rate:)),
        limits: configuration.httpLimits)
    return Application(
        responder: responder,
        server: .http1(configuration: configuration.httpLimits.channelConfiguration),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [LocalSandboxEngineService(engine: engine, faults: faults, interval: configuration.tickInterval)],
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger
    )
}

/// Drives the engine's timers (phases, TTLs, simulated exits, out-of-band kills) and, on graceful
/// shutdown, stops every workload and records its fate.
struct LocalSandboxEngineService: Service {
    let engine: LocalSandboxEngine
    let faults: FaultInjector?
    let interval: Duration

    func run() async throws {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await engine.tick()
                if let faults, faults.spec.killRate > 0 {
                    let running = await engine.runningCount
                    if let victim = faults.killVictim(running: running, interval: seconds) {
                        _ = await engine.killRandomRunning { _ in victim }
                    }
                }
                try await Task.sleep(for: interval)
            }
        }
        await engine.shutdown()
    }
}

/// The process runtime with the isolation, network and process limit this machine allows.
private func makeProcessRuntime(configuration: LocalAPIConfiguration, sandboxesRoot: URL, dataDirectory: URL) -> ProcessRuntime {
    let isolation = ProcessIsolation.detect(wanted: configuration.useBubblewrap, user: configuration.sandboxUser).verified()
    let limit: Result<ProcessLimit, ProcessLimit.Unavailable> =
        if case .bubblewrap(_, _, .some) = isolation { ProcessLimit.detect(maximum: configuration.sandboxProcessLimit) } else {
            .failure(.init(reason: "the server does not run as root"))
        }
    // Process sandboxes never outlive the server: what a previous run left (it was killed) is stale.
    if case .success(let groups) = limit { groups.removeStaleGroups() }
    for stale in (try? FileManager.default.contentsOfDirectory(at: sandboxesRoot, includingPropertiesForKeys: nil)) ?? [] {
        Task { _ = await TreeRemoval.remove(stale) }
    }
    return ProcessRuntime(
        sandboxesRoot: sandboxesRoot, gracePeriod: configuration.terminationGracePeriod, isolation: isolation,
        network: SandboxNetwork.detect(for: isolation), processLimit: limit,
        hidden: [dataDirectory.resolvingSymlinksInPath().path], logger: configuration.logger)
}
