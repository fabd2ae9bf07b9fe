import ArgumentParser
import Foundation
import LocalSandboxAPI
import Logging

/// `porter-fleet local serve`: serves the Porter Sandbox API wire format on this machine.
struct LocalServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a Porter-compatible Sandbox API on this machine.",
        discussion: """
            Sandboxes run as supervised host processes (isolated with bubblewrap when it is installed) \
            or, with --runtime simulated, only on paper for scale tests. Images are recorded, never pulled. \
            State lives in SQLite under --data and survives restarts. Prints 'listening on http://HOST:PORT' \
            once it accepts connections; SIGTERM or Ctrl-C stops it cleanly.

            --faults takes comma-separated key=value pairs: 5xx=RATE and 429=RATE answer that share of API \
            requests with the error; latency=DURATION (at most 60s) adds a random delay up to it; drop=RATE makes that \
            share of creates, deletes, writes and moves take effect with no answer (the connection is reset); \
            kill=RATE (at most 1000) kills running sandboxes out of band at that rate per sandbox per second. Example: \
            --faults 5xx=0.1,429=0.05,latency=20ms,drop=0.02,kill=0.01 --seed 7

            --rate-limit N answers API requests beyond N a second per API token (a token bucket with a burst \
            of N) with 429 and Retry-After, as a real API under quota does; it works beside --faults.
            """
    )

    @Option(help: "The address and port to listen on.")
    var listen = "127.0.0.1:8080"

    @Option(help: "The directory holding the API's state and volume data.")
    var data = ".porter-fleet/local"

    @Option(help: "How sandboxes run: process or simulated.")
    var runtime: LocalRuntimeKind = .process

    @Option(help: "Require 'Authorization: Bearer TOKEN' on every request (default: PORTER_LOCAL_API_TOKEN, if set).")
    var token: String?

    @Option(help: "Faults to inject (see above).")
    var faults: String?

    @Option(help: ArgumentHelp("At most this many API requests a second per API token; beyond, 429 with Retry-After.", valueName: "n"))
    var rateLimit: Double?

    @Option(help: "The seed of injected faults, so a run can be replayed.")
    var seed: UInt64 = 1

    @Option(help: "Simulated runtime: time from queued to running, e.g. 50ms.")
    var simulatedStartDelay: String = "50ms"

    @Option(help: "Process runtime: time between SIGTERM and SIGKILL when a sandbox is stopped.")
    var gracePeriod: String = "5s"

    @Option(help: ArgumentHelp("When run as root: the host user process sandboxes run as (never root).", valueName: "uid[:gid]"))
    var sandboxUser = "65534:65534"

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try address()
        if let faults { _ = try FaultSpec(parsing: faults) }
        if let rateLimit, !(rateLimit > 0 && rateLimit <= 1_000_000) {
            throw ValidationError("--rate-limit must be above 0 and at most 1,000,000 requests a second, not \(rateLimit)")
        }
        _ = try startDelay()
        _ = try grace()
        _ = try user()
    }

    private func user() throws -> SandboxUser {
        guard let user = SandboxUser(parsing: sandboxUser) else {
            throw ValidationError("--sandbox-user '\(sandboxUser)' is not UID or UID:GID of a user other than root")
        }
        return user
    }

    private func startDelay() throws -> Duration {
        try DurationFlag.parse(simulatedStartDelay, flag: "--simulated-start-delay", example: "50ms", maximum: .seconds(3600))
    }

    private func grace() throws -> Duration {
        try DurationFlag.parse(gracePeriod, flag: "--grace-period", example: "5s", maximum: .seconds(3600))
    }

    private func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port)
        else { throw ValidationError("--listen '\(listen)' is not HOST:PORT") }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--listen '\(listen)' has no host") }
        return (host, port)
    }

    func run() async throws {
        let (host, port) = try address()
        let logger = logging.logger("porter-fleet.local-api", defaultLevel: .info)
        var configuration = LocalAPIConfiguration(dataDirectory: data)
        configuration.host = host
        configuration.port = port
        configuration.runtime = runtime
        configuration.token = token ?? ProcessInfo.processInfo.environment["PORTER_LOCAL_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.faults = try faults.map(FaultSpec.init(parsing:)) ?? .none
        configuration.seed = seed
        configuration.rateLimit = rateLimit
        let startDelay = try startDelay()
        configuration.simulated.queuedDelay = startDelay / 2
        configuration.simulated.creatingDelay = startDelay / 2
        configuration.terminationGracePeriod = try grace()
        configuration.sandboxUser = try user()
        configuration.logger = logger
        let displayHost = host.contains(":") ? "[\(host)]" : host
        let app = try await buildLocalAPI(configuration: configuration) { boundPort in
            CommandOutput.current.line("listening on http://\(displayHost):\(boundPort)")
        }
        do {
            try await app.runService()
        } catch {
            throw ListenFailure.explain(error, address: listen, option: "--listen")
        }
    }
}

extension LocalRuntimeKind: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
