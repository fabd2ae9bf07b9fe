import FleetModel
import FleetReconciler
import FleetStore
import FleetStorePostgres
import FleetStoreSQLite
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import PorterSandbox
import Synchronization

/// Benchmarks of the reconciler against the simulated local Sandbox API, which runs as a separate
/// `porter-fleet local serve` process so this process's CPU time and memory are the controller's own.
/// Run with `swift run -c release reconciler-benchmark [--converge N] [--throttled N --quota Q] [--flow-csv PATH]
/// [--noop N] [--noop-only] [--postgres URL]`; the controller runs at its default flags throughout. With
/// `--postgres` (an empty database) the no-op pass is measured on PostgreSQL too, and so is failover: two
/// `porter-fleet run` replicas, the leader SIGKILLed, until the standby's first action.
@main
struct ReconcilerBenchmark {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String, _ fallback: Int) -> Int {
            arguments.firstIndex(of: flag).flatMap { Int(arguments[$0 + 1]) } ?? fallback
        }
        let convergeCount = value("--converge", 1000)
        let throttledCount = value("--throttled", 1500)
        let quota = value("--quota", 100)
        let noopCount = value("--noop", 10_000)
        let flowCSV = arguments.firstIndex(of: "--flow-csv").map { arguments[$0 + 1] }
        // Only the no-op pass and the listing comparison: no converge, no throttled run, no daemon.
        let noopOnly = arguments.contains("--noop-only")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (server, url) = try startServer(directory: directory)
        defer { server.terminate() }
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; local API (simulated) at \(url) in its own process")
        let porter = try Porter(baseURL: url, environment: [:])

        // 1. Converge 0 → N at default flags, beside the official Python SDK in a 16-thread loop and a bare
        // loop of Swift SDK creates at the concurrency the limiter settled on.
        var options = ControllerOptions()
        options.logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        if !noopOnly { try await converge(count: convergeCount, url: url, directory: directory, options: options, porter: porter) }
        if throttledCount > 0, !noopOnly {
            try await throttled(count: throttledCount, quota: quota, directory: directory, options: options, csv: flowCSV)
        }

        // 2. A no-op pass over N in-sync sandboxes.
        let noopStore = try SQLiteFleetStore(path: directory.appendingPathComponent("noop.db").path)
        try noopStore.claim(fleetID: "noop")
        try await apply(set: "n", replicas: noopCount, to: noopStore)
        let counter = RequestCounter()
        let countingPorter = try Porter(baseURL: url, environment: [:], middlewares: [counter])
        let noop = FleetController(store: noopStore, backend: PorterSandboxBackend(porter: countingPorter), options: options)
        var converged = false
        while !converged {
            converged = try await noop.reconcileOnce().converged
            if !converged { try await Task.sleep(for: .milliseconds(100)) }
        }
        _ = try await noop.reconcileOnce()  // the first pass after changes reads the store; steady state does not
        if let loops = arguments.firstIndex(of: "--profile-noop").flatMap({ Int(arguments[$0 + 1]) }) {
            print("profiling: pid \(ProcessInfo.processInfo.processIdentifier), \(loops) no-op passes in 3 s")
            try await Task.sleep(for: .seconds(5))
            for _ in 0..<loops { _ = try await noop.reconcileOnce() }
            print("profiling done")
        }
        counter.reset()
        let cpuBefore = cpuSeconds()
        let wallBefore = ContinuousClock.now
        let result = try await noop.reconcileOnce()
        let cpu = cpuSeconds() - cpuBefore
        let wall = ContinuousClock.now - wallBefore
        let requests = counter.snapshot()
        let mutating = requests.filter { !$0.hasPrefix("GET /v1/sandbox?") }.count
        print(String(format: "steady-state no-op pass over %d in-sync sandboxes: %d HTTP requests (%d list pages, %d others), %d actions, store written: %@, settled plan reused: %@, CPU %.0f ms (goal ≤ 200 ms), wall %.0f ms",
            noopCount, requests.count, requests.count - mutating, mutating, result.plan.actions.count, result.wroteStore ? "yes" : "no",
            result.reusedPlan ? "yes" : "no", cpu * 1000, seconds(wall) * 1000))
        // The same pass planned in full, as one is at least every five minutes or after anything changed.
        var fullOptions = options
        fullOptions.fullPassInterval = 0
        let full = FleetController(store: noopStore, backend: PorterSandboxBackend(porter: countingPorter), options: fullOptions)
        _ = try await full.reconcileOnce()
        let fullBefore = cpuSeconds()
        let fullResult = try await full.reconcileOnce()
        print(String(format: "  the same pass planned in full (at least every %.0f s, and whenever the listing, the desired state or the store changed): CPU %.0f ms, store written: %@",
            options.fullPassInterval, (cpuSeconds() - fullBefore) * 1000, fullResult.wroteStore ? "yes" : "no"))
        try await countingPorter.shutdown()
        // Where the no-op pass spends its CPU.
        let backendOnly = PorterSandboxBackend(porter: porter)
        var mark = cpuSeconds()
        let live = try await backendOnly.liveSandboxes(tags: ["porter-fleet/fleet": "noop"])
        let listCPU = cpuSeconds() - mark
        mark = cpuSeconds()
        let state = try noopStore.reconcilerState()
        let desired = try DesiredFleet(resources: try await noopStore.resources(), settings: try noopStore.settings(), pruneAllRequested: false)
        let storeCPU = cpuSeconds() - mark
        mark = cpuSeconds()
        _ = Planner.plan(PlannerInput(desired: desired, live: live, now: Date()))
        let planCPU = cpuSeconds() - mark
        print(String(format: "  of which: listing and decoding %d sandboxes %.0f ms, reading the store (%d tracked) %.0f ms, planning %.0f ms",
            live.count, listCPU * 1000, state.trackedSandboxes.count, storeCPU * 1000, planCPU * 1000))
        // The HTTP part of the listing alone: as many requests, each answered with an empty page.
        mark = cpuSeconds()
        for page in 1...max(1, noopCount / 100) {
            _ = try await porter.sandboxes.listStatuses(tags: ["porter-fleet/fleet": "nobody"], phases: [.running], page: page)
        }
        print(String(format: "  the same number of list requests answered with empty pages: %.0f ms (the HTTP and SDK part of the listing)", (cpuSeconds() - mark) * 1000))
        try await compareListings(store: noopStore, url: url, options: options, count: noopCount)
        if noopOnly {
            try await porter.shutdown()
            return
        }
        // 3. A `porter-fleet run` daemon at default flags keeping the N sandboxes: CPU a pass, peak memory.
        try await daemonNoop(db: directory.appendingPathComponent("noop.db").path, url: url, count: noopCount)
        if let postgres = arguments.firstIndex(of: "--postgres").map({ arguments[$0 + 1] }) {
            let store = try await PostgresFleetStore(url: try PostgresStoreURL(parsing: postgres))
            try await store.restore(try noopStore.snapshot(), replacing: true)
            try await postgresNoop(store: store, options: options, url: url, count: noopCount)
            try await failover(store: store, database: postgres, api: url, porter: porter, count: noopCount)
            await store.close()
        }
        try await porter.shutdown()
    }

    /// The no-op pass with the store on PostgreSQL: CPU, and the store transactions it ran.
    static func postgresNoop(store: PostgresFleetStore, options: ControllerOptions, url: String, count: Int) async throws {
        // As `porter-fleet reconcile` builds it: default flow control, every attempt reported to it.
        let (controller, porter) = try Self.controller(store: store, url: url, options: options)
        _ = try await controller.reconcileOnce()
        _ = try await controller.reconcileOnce()
        let transactions = store.transactions
        let cpuBefore = cpuSeconds()
        let wallBefore = ContinuousClock.now
        let result = try await controller.reconcileOnce()
        let cpu = cpuSeconds() - cpuBefore
        let wall = ContinuousClock.now - wallBefore
        print(String(format: "steady-state no-op pass over %d in-sync sandboxes [postgres]: %d store reads (one: the revisions), %d actions, store written: %@, CPU %.0f ms (goal ≤ 200 ms), wall %.0f ms",
            count, store.transactions - transactions, result.plan.actions.count, result.wroteStore ? "yes" : "no", cpu * 1000, seconds(wall) * 1000))
        try await porter.shutdown()
    }

    /// Two replicas with the default lease; the leader is SIGKILLed as the set is scaled down by one; the
    /// time until the standby has terminated the surplus sandbox.
    static func failover(store: PostgresFleetStore, database: String, api: String, porter: Porter, count: Int) async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter-fleet")
        var replicas: [Process] = []
        for _ in 0..<2 {
            let replica = Process()
            replica.executableURL = binary
            replica.arguments = ["run", "--db", database, "--api-url", api, "--metrics-listen", "off", "--log-level", "error"]
            try replica.run()
            replicas.append(replica)
        }
        defer { replicas.filter(\.isRunning).forEach { $0.terminate() } }
        var holder: LeaseGrant?
        while holder == nil {
            try await Task.sleep(for: .milliseconds(200))
            holder = try await store.leaseHolder()
        }
        try await Task.sleep(for: .seconds(12))  // the leader's first passes over the fleet
        let leader = try require(replicas.first { holder?.holder.hasSuffix(":\($0.processIdentifier)") == true })
        kill(leader.processIdentifier, SIGKILL)
        let killed = ContinuousClock.now
        _ = try await store.scale(set: "n", replicas: count - 1)
        let name = "n-\(count - 1)-g1"
        while (try? await porter.sandboxes.get(name: name))?.phase?.isTerminal != true {
            try await Task.sleep(for: .milliseconds(100))
            if ContinuousClock.now - killed > .seconds(120) { throw BenchmarkError(message: "no failover within 120 s") }
        }
        print(String(format: "failover [postgres, lease 15 s]: leader SIGKILLed → the standby's first action (a terminate) %.1f s (bound: the lease plus one pass)", seconds(ContinuousClock.now - killed)))
    }

    static func require<T>(_ value: T?) throws -> T {
        guard let value else { throw BenchmarkError(message: "the lease holder is neither replica") }
        return value
    }

    static func apply(set name: String, replicas: Int, to store: any FleetStore) async throws {
        let text = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: \(name)\nspec:\n  replicas: \(replicas)\n  template: {image: bench:1, command: [sleep, infinity]}\n"
        let manifests = try ManifestParser.parse(text, file: "bench.yaml")
        _ = try await store.apply(manifests.map { ($0, "bench.yaml") }, sources: ["bench.yaml"], prune: false, dryRun: false)
    }

    static func startServer(directory: URL, name: String = "local", extra: [String] = []) throws -> (Process, String) {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter-fleet")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["local", "serve", "--listen", "127.0.0.1:0", "--data", directory.appendingPathComponent(name).path, "--runtime", "simulated", "--log-level", "error"] + extra
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var buffer = Data()
        while true {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchmarkError(message: "local serve did not start (build porter-fleet with the same -c first)") }
            buffer.append(chunk)
            if let text = String(data: buffer, encoding: .utf8), let range = text.range(of: "http://") {
                let url = text[range.lowerBound...].prefix { !$0.isWhitespace }
                return (process, String(url))
            }
        }
    }

    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    static func residentMegabytes(pid: Int32? = nil) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid.map(String.init) ?? "self")/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Counts HTTP requests (method and path) made through a client.
final class RequestCounter: ClientMiddleware, Sendable {
    private let requests = Mutex<[String]>([])

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        requests.withLock { $0.append("\(request.method.rawValue) \(request.path ?? "")") }
        return try await next(request, body, baseURL)
    }

    func reset() { requests.withLock { $0.removeAll() } }
    func snapshot() -> [String] { requests.withLock { $0 } }
}
