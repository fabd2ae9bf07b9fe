import FleetModel
import FleetStore
import FleetStorePostgres
import FleetStoreSQLite
import Foundation
import LocalSandboxAPI
import Logging
import PorterSandbox

/// The chaos soak: the simulated local Sandbox API with injected faults (5xx, 429, dropped answers,
/// out-of-band kills), the `porter-fleet run` daemon killed with SIGKILL at random moments and restarted,
/// for a bounded time; then the faults stop and the invariants are checked:
/// one live generation per logical name, nothing of another fleet or untagged touched, no retained volume
/// deleted, the store's integrity check ok, and the fleet converged within a bound after the faults stop.
///
/// With `--db postgres://…` (an empty database) two daemon replicas share the store: the one holding the
/// lease is SIGKILLed at random, right after a scale-up now and then, and restarted to stand by; a standby
/// must finish the work without creating anything twice.
///
/// `scripts/chaos-soak [--duration 2m] [--seed N] [--db URL]`; exit code 0 when every invariant holds.
@main
struct ChaosSoak {
    static let replicas = 16

    static func main() async throws {
        let arguments = CommandLine.arguments
        let duration = arguments.firstIndex(of: "--duration").flatMap { parse(arguments[$0 + 1]) } ?? 120
        let seed = arguments.firstIndex(of: "--seed").flatMap { UInt64(arguments[$0 + 1]) } ?? UInt64(Date().timeIntervalSince1970)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter-fleet").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-chaos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("local").path
        let database = arguments.firstIndex(of: "--db").map { arguments[$0 + 1] } ?? directory.appendingPathComponent("fleet.db").path
        let shared = PostgresStoreURL.isPostgres(database)
        let daemonCount = shared ? 2 : 1
        print("chaos soak: \(Int(duration)) s, seed \(seed), \(replicas) sandboxes, \(daemonCount) daemon(s) on \(shared ? "PostgreSQL" : "SQLite"), the leader SIGKILLed at random")
        var random = SplitMix64(seed: seed)

        // Start without faults to set up what must never be touched.
        var server = try await startServer(data: data, faults: nil, seed: seed)
        var porter = try Porter(baseURL: server.baseURL, environment: [:])
        _ = try await porter.sandboxes.create(image: "x", name: "untagged-bystander", command: ["sleep", "infinity"])
        _ = try await porter.sandboxes.create(
            image: "x", name: "other-fleet-bystander",
            tags: ["porter-fleet/fleet": "other", "porter-fleet/name": "chaos-0", "porter-fleet/generation": "1"])
        let foreignVolume = try await porter.volumes.create(name: "foreign-volume")
        try await porter.shutdown()

        let manifest = directory.appendingPathComponent("fleet.yaml")
        try """
            apiVersion: porter-fleet/v1
            kind: Volume
            name: kept
            spec: {deletion_policy: retain}
            ---
            apiVersion: porter-fleet/v1
            kind: SandboxSet
            name: chaos
            spec:
              replicas: \(replicas)
              template:
                image: x
                command: [sleep, infinity]
                volume_mounts: {/data: kept}
            """.write(to: manifest, atomically: true, encoding: .utf8)
        try run(binary, ["apply", "--db", database, "-f", manifest.path])
        let store = try await openStore(database)
        let fleetID = try await store.settings().fleetID
        await server.stop()

        // Chaos: faults on, the daemon killed and restarted at random.
        server = try await startServer(data: data, faults: "5xx=0.1,429=0.05,drop=0.1,latency=20ms,kill=0.02", seed: seed)
        let end = Date().addingTimeInterval(duration)
        var daemons = try (0..<daemonCount).map { _ in try Daemon.start(binary: binary, database: database, url: server.baseURL) }
        var kills = 0
        var changes = 0
        while Date() < end {
            try await Task.sleep(for: .milliseconds(Int64(500 + random.next() % 2500)))
            var scaledUp = false
            if random.next() % 5 == 0 {
                let count = Int(random.next() % UInt64(replicas)) + 1
                _ = try? run(binary, ["scale", "--db", database, "set", "chaos", "--replicas", String(count)])
                changes += 1
                scaledUp = count > replicas / 2
            }
            if scaledUp || random.next() % 3 == 0 {
                // The leader: the replica named by the lease (a single daemon is its own leader).
                let holder = try? await store.leaseHolder()
                let index = daemons.firstIndex { holder?.holder.hasSuffix(":\($0.process.processIdentifier)") == true } ?? 0
                if scaledUp { try await Task.sleep(for: .milliseconds(Int64(random.next() % 400))) }  // mid scale-up
                kill(daemons[index].process.processIdentifier, SIGKILL)
                daemons[index].process.waitUntilExit()
                kills += 1
                daemons[index] = try Daemon.start(binary: binary, database: database, url: server.baseURL, lease: "2s")
            }
        }
        _ = try? run(binary, ["scale", "--db", database, "set", "chaos", "--replicas", String(replicas)])
        for daemon in daemons {
            kill(daemon.process.processIdentifier, SIGKILL)
            daemon.process.waitUntilExit()
        }
        await server.stop()
        print("chaos over: \(kills) daemon kills, \(changes) desired-state changes")

        // Faults off: the fleet must converge within a bound.
        server = try await startServer(data: data, faults: nil, seed: seed)
        porter = try Porter(baseURL: server.baseURL, environment: [:])
        daemons = try (0..<daemonCount).map { _ in try Daemon.start(binary: binary, database: database, url: server.baseURL, lease: "2s") }
        let bound: TimeInterval = 60
        let started = Date()
        var live: [String: [String]] = [:]
        while Date().timeIntervalSince(started) < bound {
            live = try await liveByLogical(porter, fleet: fleetID)
            if live.count == replicas && live.values.allSatisfy({ $0.count == 1 }) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let convergedIn = Date().timeIntervalSince(started)
        try await Task.sleep(for: .seconds(2))
        live = try await liveByLogical(porter, fleet: fleetID)
        for daemon in daemons {
            daemon.process.terminate()
            daemon.process.waitUntilExit()
        }

        var failures: [String] = []
        func check(_ ok: Bool, _ text: String) {
            print("\(ok ? "ok  " : "FAIL") \(text)")
            if !ok { failures.append(text) }
        }
        check(live.count == replicas, "every logical name has a live generation (\(live.count)/\(replicas))")
        check(live.values.allSatisfy { $0.count == 1 }, "exactly one live generation per logical name\(live.values.contains { $0.count > 1 } ? ": \(live.filter { $0.value.count > 1 })" : "")")
        check(convergedIn < bound, String(format: "converged within %.0f s after the faults stopped (%.1f s)", bound, convergedIn))
        let untagged = try await porter.sandboxes.get(name: "untagged-bystander")
        let other = try await porter.sandboxes.get(name: "other-fleet-bystander")
        check(untagged.phase?.isTerminal == false || untagged.status?.terminationReason == .backendLost,
            "the untagged sandbox was not terminated by porter-fleet (\(untagged.phase?.rawValue ?? "?"))")
        check(other.phase?.isTerminal == false || other.status?.terminationReason == .backendLost,
            "another fleet's sandbox was not terminated by porter-fleet (\(other.phase?.rawValue ?? "?"))")
        let volumes = try await porter.volumes.list().map(\.name)
        // Volumes are named with the fleet's scope (docs/reconcile-rules.md, "Whose a volume is").
        let kept = try await store.settings().volumeNamePrefix + "kept"
        check(volumes.contains(kept), "the retained volume exists (\(kept))")
        check(volumes.contains(foreignVolume.name), "a volume porter-fleet did not create is untouched")
        let integrity = try await store.integrityCheck()
        check(integrity == "ok", "the store's integrity check: \(integrity)")
        try await porter.shutdown()
        await server.stop()
        print(failures.isEmpty ? "chaos soak: all invariants hold" : "chaos soak: \(failures.count) invariants broken")
        exit(failures.isEmpty ? 0 : 1)
    }

    /// The store at `database`: a PostgreSQL URL or an SQLite path.
    static func openStore(_ database: String) async throws -> any FleetStore {
        if PostgresStoreURL.isPostgres(database) { return try await PostgresFleetStore(url: try PostgresStoreURL(parsing: database)) }
        return try SQLiteFleetStore(path: database, create: false)
    }

    static func liveByLogical(_ porter: Porter, fleet: String) async throws -> [String: [String]] {
        var live: [String: [String]] = [:]
        for try await sandbox in porter.sandboxes.all(tags: ["porter-fleet/fleet": fleet], phases: [.queued, .creating, .running]) {
            live[sandbox.tags?["porter-fleet/name"] ?? "?", default: []].append(sandbox.name ?? "")
        }
        return live
    }

    @discardableResult
    static func run(_ binary: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func parse(_ text: String) -> TimeInterval? {
        if text.hasSuffix("m"), let minutes = Double(text.dropLast()) { return minutes * 60 }
        if text.hasSuffix("s"), let seconds = Double(text.dropLast()) { return seconds }
        return Double(text)
    }
}

/// Starts the simulated local Sandbox API in this process on a free port, with `faults` when given.
func startServer(data: String, faults: String?, seed: UInt64) async throws -> RunningLocalAPI {
    var configuration = LocalAPIConfiguration(dataDirectory: data)
    configuration.port = 0
    configuration.runtime = .simulated
    configuration.seed = seed
    configuration.faults = try faults.map(FaultSpec.init(parsing:)) ?? .none
    configuration.logger = Logger(label: "chaos-soak", factory: { _ in SwiftLogNoOpLogHandler() })
    return try await RunningLocalAPI.start(configuration: configuration)
}

/// A `porter-fleet run` daemon.
struct Daemon {
    let process: Process

    static func start(binary: String, database: String, url: String, lease: String = "2s") throws -> Daemon {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--db", database, "--api-url", url, "--resync", "1s", "--lease", lease, "--metrics-listen", "off", "--log-level", "critical"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return Daemon(process: process)
    }
}

