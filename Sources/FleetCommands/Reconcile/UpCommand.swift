import ArgumentParser
import FleetDaemon
import FleetReconciler
import FleetStore
import Foundation
import LocalSandboxAPI
import Logging
import PorterSandbox
import Synchronization

/// `porter-fleet up -f PATH...`: apply, then keep the fleet alive; with no Porter backend configured
/// it hosts the local Sandbox API in this process.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Apply manifests and keep the fleet alive until Ctrl-C (the local Sandbox API when no backend is configured).",
        discussion: """
            With --api-url, PORTER_SANDBOX_BASE_URL, PORTER_CLUSTER_ID or in a cluster, it acts on that Sandbox API. \
            Otherwise it starts the local Sandbox API in this process (process runtime, state in --local-data) and \
            prints its URL, so the official SDKs and the CLI can reach it.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions
    @OptionGroup var flags: ControllerFlags
    @OptionGroup var daemon: DaemonOptions

    @Option(name: [.short, .customLong("filename")], help: ArgumentHelp("A manifest file, a directory, or '-' (repeatable).", valueName: "path"))
    var files: [String] = []

    @Flag(help: "Remove resources applied earlier from these paths that are no longer in them.")
    var prune = false

    @Option(help: "Where the local Sandbox API listens (when no backend is configured).")
    var localListen = "127.0.0.1:8080"

    @Option(help: "The local Sandbox API's data directory.")
    var localData = ".porter-fleet/local"

    @Option(help: "How the local Sandbox API runs sandboxes: process or simulated.")
    var localRuntime: LocalRuntimeKind = .process

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one manifest with -f PATH") }
        _ = try HostPort.parse(localListen, option: "--local-listen")
    }

    func run() async throws {
        let out = CommandOutput.current
        let (manifests, sources) = try ManifestFiles.read(files)
        var local: RunningLocalAPI?
        let endpoint: PorterEndpoint
        if backend.isConfigured {
            endpoint = try backend.endpoint()
        } else {
            let (host, port) = try HostPort.parse(localListen, option: "--local-listen")
            var configuration = LocalAPIConfiguration(dataDirectory: localData)
            configuration.host = host
            configuration.port = port
            configuration.runtime = localRuntime
            var logger = Logger(label: "porter-fleet.local-api")
            logger.logLevel = .warning
            configuration.logger = logger
            let api: RunningLocalAPI
            do {
                api = try await RunningLocalAPI.start(configuration: configuration)
            } catch {
                let explained = ListenFailure.explain(error, address: localListen, option: "--local-listen")
                throw CommandFailure(explained is ListenFailure ? "\(explained)" : "cannot start the local Sandbox API on \(localListen): \(error)")
            }
            local = api
            out.line("local Sandbox API: \(api.baseURL) (export PORTER_SANDBOX_BASE_URL=\(api.baseURL) to reach it with the SDKs and the CLI)")
            endpoint = try PorterEndpoint.resolve(apiKey: nil, baseURL: api.baseURL)
        }
        // The store is opened and the manifests applied once the API is there: a port taken leaves no trace.
        let fleetStore: any FleetStore
        do {
            fleetStore = try await store.open()
            ReportPrinter.print(try await fleetStore.apply(manifests, sources: sources, prune: prune, dryRun: false), format: .text)
        } catch {
            await local?.stop()
            if let error = error as? FleetStoreError { throw CommandFailure(error.lines) }
            throw error
        }
        out.line("keeping fleet '\(try await fleetStore.settings().fleetID)' alive; Ctrl-C stops")
        let wasConverged = Mutex(false)
        do {
            let configuration = try daemon.configuration(endpoint: endpoint, flags: flags, logging: store.logging)
            try await daemon.run(store: fleetStore, configuration: configuration, hooks: DaemonHooks(onListening: { url in out.line("dashboard: \(url)") }) { result in
                for done in result.succeeded { out.line(done.summary) }
                for line in result.failed { out.error("failed: \(line)") }
                let healthy = result.plan.statuses.filter(\.health.isSettled).count
                let changed = wasConverged.withLock { previous in
                    defer { previous = result.converged }
                    return previous != result.converged
                }
                if !result.plan.actions.isEmpty || !result.failed.isEmpty || changed {
                    out.line("\(healthy)/\(result.plan.statuses.count) sandboxes healthy\(result.converged ? ", converged" : "")")
                }
            })
        } catch {
            await local?.stop()
            throw error
        }
        await local?.stop()
        out.line("stopped")
    }
}
