import AsyncHTTPClient
import FleetStore
import FleetStorePostgres
import FleetTestSupport
import Foundation
import LocalSandboxAPI
import PorterSandbox
import Synchronization
import Testing

/// Several `porter-fleet run` replicas and several CLIs on one PostgreSQL store, as real processes
/// against a real local Sandbox API: one leads, the others stand by, and a SIGKILLed leader's work is
/// finished by a standby without creating anything twice.
@Suite("High availability on PostgreSQL")
struct HighAvailabilityTests {
    /// A daemon process and what it logs.
    final class Replica: Sendable {
        let process: Process
        let output = StreamCapture()

        init(db: String, api: String, extra: [String] = []) throws {
            process = Process()
            process.executableURL = CLIHarness.binary
            process.arguments = [
                "run", "--db", db, "--api-url", api, "--resync", "1s", "--metrics-listen", "127.0.0.1:0", "--log-level", "info", "--lease", "3s",
            ] + extra
            process.standardOutput = FileHandle.nullDevice
            process.standardError = output.pipe
            try process.run()
        }

        /// The metrics listener's base URL, once the daemon logged it.
        func baseURL() async throws -> String {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if let line = output.text.split(separator: "\n").first(where: { $0.contains("metrics on http://") }),
                    let url = line.split(separator: " ").last
                {
                    return String(url.dropLast("/metrics".count))
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw CLIFailure("no metrics listener in: \(output.text)")
        }

        /// `/readyz`: status and body.
        func readiness() async throws -> (Int, String) {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: try await baseURL() + "/readyz"), timeout: .seconds(5))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 16)))
        }

        /// The `porter_fleet_leader` gauge.
        func leaderGauge() async throws -> Double? {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: try await baseURL() + "/metrics"), timeout: .seconds(5))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            return text.split(separator: "\n").first { $0.hasPrefix("porter_fleet_leader ") }.flatMap { Double($0.dropFirst("porter_fleet_leader ".count)) }
        }

        func stop() {
            if process.isRunning { process.terminate() }
        }
    }

    struct CLIFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func set(_ replicas: Int) -> String {
        "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: \(replicas)\n  template: {image: x, command: [sleep, infinity]}\n"
    }

    @Test func twoReplicasAndTwoCLIsConvergeAndAStandbyFinishesAKilledLeadersScaleUp() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let url = try await TestPostgres.freshDatabase()
        let db = url.description
        let operatorA = try CLIHarness()
        let operatorB = try CLIHarness()
        let api = try await operatorA.startLocalAPI()
        let porter = try Porter(baseURL: api.baseURL, environment: [:])
        defer {
            operatorA.remove()
            operatorB.remove()
            Task {
                try? await porter.shutdown()
                await api.stop()
            }
        }
        #expect(await operatorA.run(["apply", "-f", try operatorA.write("set.yaml", Self.set(3)), "--db", db]).code == 0)
        let fleet = try await PostgresFleetStore(url: url).settings().fleetID

        // Slow replicas (2 creates a second), so the leader can be killed in the middle of a scale-up.
        let replicas = try [Replica(db: db, api: api.baseURL, extra: ["--qps", "2"]), Replica(db: db, api: api.baseURL, extra: ["--qps", "2"])]
        defer { replicas.forEach { $0.stop() } }
        func live() async throws -> [String] {
            var names: [String] = []
            for try await sandbox in porter.sandboxes.all(tags: ["porter-fleet/fleet": fleet], phases: [.queued, .creating, .running]) {
                names.append(sandbox.name ?? "")
            }
            return names.sorted()
        }
        func waitFor(seconds: Double, _ condition: ([String]) -> Bool) async throws -> [String] {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                let names = try await live()
                if condition(names) || Date() > deadline { return names }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(try await waitFor(seconds: 30) { $0 == ["w-0-g1", "w-1-g1", "w-2-g1"] } == ["w-0-g1", "w-1-g1", "w-2-g1"])

        // Exactly one leads; the other stands by and says so.
        // (A leader whose pass is still under way, or just failed, answers 503 until a pass succeeds.)
        var roles: [(Int, String)] = []
        let deadline = Date().addingTimeInterval(20)
        repeat {
            roles = []
            for replica in replicas { roles.append(try await replica.readiness()) }
            if roles.allSatisfy({ $0.0 == 200 }) { break }
            try await Task.sleep(for: .milliseconds(200))
        } while Date() < deadline
        #expect(roles.map(\.0) == [200, 200], "\(roles)")
        #expect(roles.filter { $0.1.hasPrefix("leader") }.count == 1 && roles.filter { $0.1.hasPrefix("standby") }.count == 1, "\(roles)")
        let leaderIndex = try #require(roles.firstIndex { $0.1.hasPrefix("leader") })
        let leader = replicas[leaderIndex]
        let standby = replicas[1 - leaderIndex]
        #expect(try await leader.leaderGauge() == 1)
        #expect(try await standby.leaderGauge() == 0)

        // Another operator scales up from another working directory; the change is announced, not polled.
        #expect(await operatorB.run(["scale", "set", "w", "--replicas", "12", "--db", db]).code == 0)
        _ = try await waitFor(seconds: 20) { $0.count >= 5 }
        kill(leader.process.processIdentifier, SIGKILL)
        let killed = leader.process
        try await offThePool { killed.waitUntilExit() }
        let atKill = try await live()
        #expect(atKill.count < 12, "killed mid scale-up: \(atKill.count)")

        let finished = try await waitFor(seconds: 60) { $0.count >= 12 }
        try await Task.sleep(for: .seconds(2))  // a late duplicate would show within two passes (resync 1 s)
        let final = try await live()
        #expect(final.count == 12 && finished.count == 12, "\(final)")
        let logical = final.map { String($0.split(separator: "-g").first ?? "") }
        #expect(Set(logical).count == 12, "one live generation per logical sandbox: \(final)")
        let (status, body) = try await standby.readiness()
        #expect(status == 200 && body.hasPrefix("leader"), "the standby took over: \(body)")
        #expect(try await standby.leaderGauge() == 1)
    }

    /// A leader stopped (SIGSTOP) past its lease says it is not leading from the moment it runs again,
    /// before its own loop notices: never two replicas answering "leader" at once.
    @Test func aLeaderStoppedPastItsLeaseIsNoLeaderWhenItWakes() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let url = try await TestPostgres.freshDatabase()
        let db = url.description
        let cli = try CLIHarness()
        let api = try await cli.startLocalAPI()
        defer {
            cli.remove()
            Task { await api.stop() }
        }
        #expect(await cli.run(["apply", "-f", try cli.write("set.yaml", Self.set(1)), "--db", db]).code == 0)
        let replicas = try [Replica(db: db, api: api.baseURL), Replica(db: db, api: api.baseURL)]
        defer { replicas.forEach { $0.stop() } }
        var leaderIndex: Int?
        let deadline = Date().addingTimeInterval(30)
        while leaderIndex == nil, Date() < deadline {
            for (index, replica) in replicas.enumerated() where try await replica.leaderGauge() == 1 { leaderIndex = index }
            if leaderIndex == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let leader = replicas[try #require(leaderIndex)]
        let standby = replicas[1 - (leaderIndex ?? 0)]
        _ = try await leader.baseURL()
        kill(leader.process.processIdentifier, SIGSTOP)
        try await Task.sleep(for: .seconds(5))  // past the 3 s lease: the standby takes over meanwhile
        kill(leader.process.processIdentifier, SIGCONT)
        let (status, body) = try await leader.readiness()
        #expect(!body.hasPrefix("leader"), "the woken leader reports \(status): \(body)")
        #expect(try await leader.leaderGauge() == 0)
        var taken = false
        let takeOver = Date().addingTimeInterval(20)
        while !taken, Date() < takeOver {
            taken = try await standby.leaderGauge() == 1
            if !taken { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(taken, "the standby leads")
    }
}
