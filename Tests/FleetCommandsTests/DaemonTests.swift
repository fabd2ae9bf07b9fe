import AsyncHTTPClient
import FleetCommands
import FleetStore
import FleetStoreSQLite
import Foundation
import LocalSandboxAPI
import Logging
import PorterSandbox
import Synchronization
import Testing

/// `porter-fleet run` as real processes against a real local Sandbox API and a real store file.
@Suite("The controller daemon")
struct DaemonTests {

    struct Environment {
        let cli: CLIHarness
        let api: RunningLocalAPI
        let porter: Porter

        static func start() async throws -> Environment {
            let cli = try CLIHarness()
            let api = try await cli.startLocalAPI()
            let porter = try Porter(baseURL: api.baseURL, environment: [:])
            return Environment(cli: cli, api: api, porter: porter)
        }

        func daemon(_ extra: [String] = [], resync: String = "1s", metrics: String = "off", logLevel: String = "error", stderr: Pipe? = nil) throws -> Process {
            let process = Process()
            process.executableURL = CLIHarness.binary
            process.arguments = ["run", "--db", cli.database, "--api-url", api.baseURL, "--resync", resync, "--metrics-listen", metrics, "--log-level", logLevel, "--lease", "3s"] + extra
            process.standardOutput = FileHandle.nullDevice
            process.standardError = stderr ?? FileHandle.nullDevice
            try process.run()
            return process
        }

        /// The store's fleet id (a new store gets a unique one at its first apply).
        var fleetID: String {
            get throws { try SQLiteFleetStore(path: cli.database, create: false).settings().fleetID }
        }

        func live() async throws -> [String] {
            var names: [String] = []
            for try await sandbox in porter.sandboxes.all(tags: ["porter-fleet/fleet": try fleetID], phases: [.queued, .creating, .running]) {
                names.append(sandbox.name ?? "")
            }
            return names.sorted()
        }

        func waitFor(_ condition: ([String]) -> Bool, seconds: Double = 30) async throws -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                let names = try await live()
                if condition(names) { return names }
                if Date() > deadline { throw HarnessTimeout(names: names) }
                try await Task.sleep(for: .milliseconds(100))
            }
        }

        func stop() async {
            try? await porter.shutdown()
            await api.stop()
            cli.remove()
        }
    }

    struct HarnessTimeout: Error, CustomStringConvertible {
        var names: [String]
        var description: String { "timed out; live: \(names)" }
    }

    static func set(_ replicas: Int) -> String {
        "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: \(replicas)\n  template: {image: x, command: [sleep, infinity]}\n"
    }

    @Test func twoDaemonsOnOneStoreOnlyOneActsAndTheOtherTakesOver() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let env = try await Environment.start()
        defer { Task { await env.stop() } }
        #expect(await env.cli.run("apply", "-f", try env.cli.write("set.yaml", Self.set(3))).code == 0)
        let first = try env.daemon()
        try await Task.sleep(for: .milliseconds(300))
        let second = try env.daemon()
        defer {
            if first.isRunning { first.terminate() }
            if second.isRunning { second.terminate() }
        }
        _ = try await env.waitFor { $0 == ["w-0-g1", "w-1-g1", "w-2-g1"] }
        try await Task.sleep(for: .seconds(1))  // both daemons have passed at least once since (resync 1 s)
        #expect(try await env.live() == ["w-0-g1", "w-1-g1", "w-2-g1"], "no duplicate creates from the second daemon")
        let store = try SQLiteFleetStore(path: env.cli.database, create: false)
        let holder = try await #require(try store.leaseHolder())
        let leader = holder.holder.hasSuffix(":\(first.processIdentifier)") ? first : second
        let standby = leader === first ? second : first
        #expect(try await store.events().filter { $0.reason == .created }.count == 3)

        leader.terminate()
        try await offThePool { leader.waitUntilExit() }
        #expect(leader.terminationStatus == 0, "SIGTERM drains and exits 0")
        try await env.porter.sandboxes.get(name: "w-1-g1").terminate(source: .cli)
        _ = try await env.waitFor { $0 == ["w-0-g1", "w-1-g2", "w-2-g1"] }
        #expect(try await store.leaseHolder()?.holder.hasSuffix(":\(standby.processIdentifier)") == true, "the standby took the lease")
        #expect(try await store.leaseHolder()?.token == holder.token + 1, "with a new fencing token")
    }

    @Test func aDesiredStateChangeWakesTheDaemonAtOnceAndMetricsAreServed() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let env = try await Environment.start()
        defer { Task { await env.stop() } }
        #expect(await env.cli.run("apply", "-f", try env.cli.write("set.yaml", Self.set(2))).code == 0)
        let log = StreamCapture()
        // A resync far longer than the test: only the revision change can explain a prompt pass.
        let daemon = try env.daemon(resync: "10m", metrics: "127.0.0.1:0", logLevel: "info", stderr: log.pipe)
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await env.waitFor { $0 == ["w-0-g1", "w-1-g1"] }
        #expect(await env.cli.run("scale", "set", "w", "--replicas", "3").code == 0)
        _ = try await env.waitFor({ $0 == ["w-0-g1", "w-1-g1", "w-2-g1"] }, seconds: 20)

        let line = try #require(log.text.split(separator: "\n").first { $0.contains("metrics on http://") })
        let url = try #require(line.split(separator: " ").last.map(String.init))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        #expect(response.status.code == 200)
        let metrics = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(metrics.contains("porter_fleet_reconcile_total{result=\"success\"}"))
        #expect(metrics.contains("porter_fleet_sandboxes{health=\"Healthy\"}"))
        #expect(metrics.contains("porter_fleet_api_requests_total{method=\"POST\",route=\"/v1/sandbox/run\",code=\"201\"} 3"))
        #expect(metrics.contains("porter_fleet_api_requests_total{method=\"GET\",route=\"/v1/sandbox\",code=\"200\"}"))
        #expect(metrics.contains("porter_fleet_api_request_duration_seconds_count{route=\"/v1/sandbox/run\"} 3"))
        #expect(metrics.contains("porter_fleet_build_info{version=\"\(PorterFleetVersion.current)\"} 1"))
        #expect(metrics.contains("porter_fleet_last_successful_pass_timestamp_seconds "))
        #expect(metrics.contains("porter_fleet_flow_concurrency_limit "))
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("porter_fleet_leader ") && Double($0.split(separator: " ")[1]) == 1 })
        daemon.terminate()
        try await offThePool { daemon.waitUntilExit() }
        #expect(daemon.terminationStatus == 0)
        log.stop()
    }

    /// `--log-format json`: one object a line, and every action the daemon takes logged at info.
    @Test func theDaemonLogsEveryActionAsJSONLines() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let env = try await Environment.start()
        defer { Task { await env.stop() } }
        #expect(await env.cli.run("apply", "-f", try env.cli.write("set.yaml", Self.set(2))).code == 0)
        let log = StreamCapture()
        let daemon = try env.daemon(["--log-format", "json"], logLevel: "info", stderr: log.pipe)
        defer { if daemon.isRunning { daemon.terminate() } }
        _ = try await env.waitFor { $0 == ["w-0-g1", "w-1-g1"] }
        let deadline = Date().addingTimeInterval(10)
        while !log.text.contains("create sandbox w-1-g1"), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        daemon.terminate()
        try await offThePool { daemon.waitUntilExit() }
        log.stop()
        let lines = log.text.split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(!lines.isEmpty && objects.count == lines.count, "every line is one JSON object: \(lines)")
        let creates = objects.filter { $0["action"] == "create_sandbox" }.compactMap { $0["message"] }.sorted()
        #expect(creates == ["create sandbox w-0-g1", "create sandbox w-1-g1"], "\(objects)")
        #expect(objects.allSatisfy { $0["time"] != nil && $0["level"] != nil && $0["label"] != nil })
    }

    @Test func aDaemonKilledMidPassRestartsAndConvergesWithoutDuplicates() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let env = try await Environment.start()
        defer { Task { await env.stop() } }
        #expect(await env.cli.run("apply", "-f", try env.cli.write("set.yaml", Self.set(40))).code == 0)
        let slow = try env.daemon(["--concurrency", "2", "--qps", "4"])
        _ = try await env.waitFor({ $0.count >= 5 }, seconds: 30)
        kill(slow.processIdentifier, SIGKILL)
        try await offThePool { slow.waitUntilExit() }
        let partial = try await env.live()
        #expect(partial.count < 40, "killed mid-pass")
        // The restarted daemon stands by until the dead one's lease (3 s) expires, then finishes the work.
        let restarted = try env.daemon()
        defer { restarted.terminate() }
        let names = try await env.waitFor({ $0.count >= 40 }, seconds: 60)
        try await Task.sleep(for: .seconds(1))  // a late duplicate would show within a pass (resync 1 s)
        let final = try await env.live()
        #expect(final.count == 40, "exactly one live generation per logical name: \(final.count)")
        let logical = Set(final.map { String($0.split(separator: "-g").first ?? "") })
        #expect(logical.count == 40)
        #expect(names.count == 40)
    }
}

@Suite("porter-fleet up")
struct UpCommandTests {
    @Test func upHostsTheLocalAPIKeepsTheFleetAndStopsCleanly() async throws {
        let binary = CLIHarness.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        let manifest = try cli.write("fleet.yaml", DaemonTests.set(2))
        let process = Process()
        process.executableURL = binary
        process.currentDirectoryURL = cli.directory
        process.arguments = ["up", "-f", manifest, "--db", cli.database, "--local-listen", "127.0.0.1:0", "--local-runtime", "simulated", "--metrics-listen", "off", "--log-level", "error"]
        var environment = ProcessInfo.processInfo.environment
        for name in ["PORTER_SANDBOX_BASE_URL", "PORTER_CLUSTER_ID", "KUBERNETES_SERVICE_HOST", "PORTER_SANDBOX_API_KEY"] { environment[name] = nil }
        process.environment = environment
        let output = StreamCapture()
        process.standardOutput = output.pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let deadline = Date().addingTimeInterval(30)
        while !output.text.contains("converged"), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = output.text
        #expect(text.contains("sandboxset/w created"))
        #expect(text.contains("local Sandbox API: http://127.0.0.1:"))
        #expect(text.contains("converged"), "\(text)")
        let url = try #require(text.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init))
        let porter = try Porter(baseURL: url, environment: [:])
        let names = try await porter.sandboxes.list(phases: [.running]).sandboxes.compactMap(\.name).sorted()
        #expect(names == ["w-0-g1", "w-1-g1"])
        try await porter.shutdown()
        process.terminate()
        try await offThePool { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
        try await Task.sleep(for: .milliseconds(200))
        output.stop()
        #expect(output.text.contains("stopped"))
    }
}
