import FleetModel
import FleetReconciler
import FleetStore
import FleetStoreSQLite
import Foundation
import Logging
import PorterSandbox

extension ReconcilerBenchmark {
    /// The controller as `porter-fleet reconcile` builds it: default flow control, every attempt reported.
    static func controller(store: any FleetStore, url: String, options: ControllerOptions, metrics: FleetMetrics? = nil) throws -> (FleetController, Porter) {
        let traffic = APITraffic(flow: FlowControl(options: options.flow), metrics: metrics)
        let porter = traffic.porter(endpoint: try PorterEndpoint.resolve(apiKey: nil, baseURL: url, environment: [:]))
        return (FleetController(store: store, backend: PorterSandboxBackend(porter: porter), options: options, flow: traffic.flow), porter)
    }

    /// Converge 0 → `count`: the Python loop, the controller at default flags, then a bare Swift loop at the
    /// concurrency the controller's limiter settled on.
    static func converge(count: Int, url: String, directory: URL, options: ControllerOptions, porter: Porter) async throws {
        let python = try pythonLoop(url: url, count: count, threads: 16, prefix: "py")
        let store = try SQLiteFleetStore(path: directory.appendingPathComponent("converge.db").path)
        try store.claim(fleetID: "converge")
        try await apply(set: "c", replicas: count, to: store)
        let (controller, client) = try Self.controller(store: store, url: url, options: options)
        var passes = 0
        var firstPass = Duration.zero
        var firstPassCPU = 0.0
        var settled = 0.0
        let clock = ContinuousClock()
        let converge = try await clock.measure {
            var converged = false
            while !converged {
                let started = ContinuousClock.now
                let cpuBefore = cpuSeconds()
                let result = try await controller.reconcileOnce()
                if passes == 0 {
                    firstPass = ContinuousClock.now - started
                    firstPassCPU = cpuSeconds() - cpuBefore
                    settled = controller.flow.snapshot.limit
                    print(String(format: "  first pass: observe and plan %.3f s, execute %.3f s, record %.3f s; the limit ended at %.0f", result.timings.observe, result.timings.execute, result.timings.record, settled))
                }
                passes += 1
                converged = result.converged
                if !converged { try await Task.sleep(for: .milliseconds(50)) }
            }
        }
        try await client.shutdown()
        let concurrency = max(1, Int(settled))
        let bareCPUBefore = cpuSeconds()
        let bare = try await bareLoop(porter: porter, count: count, concurrency: concurrency)
        let bareCPU = cpuSeconds() - bareCPUBefore
        print(String(format: "converge 0 → %d at default flags: first pass (all creates) %.2f s, converged in %.2f s over %d passes", count, seconds(firstPass), seconds(converge), passes))
        if let python {
            print(String(format: "  ratio to the Python SDK loop (16 threads, %.2f s): %.2f (goal ≤ 0.5)", python, seconds(firstPass) / python))
        }
        print(String(format: "  ratio to a bare loop of %d Swift SDK creates at concurrency %d (%.2f s): %.2f (goal ≤ 1.2)", count, concurrency, seconds(bare), seconds(firstPass) / seconds(bare)))
        print(String(format: "  this process's CPU (the API's is its own): the first pass %.2f s, the bare loop %.2f s", firstPassCPU, bareCPU))
    }

    /// `count` SDK creates with `concurrency` workers, the same requests the controller sends.
    static func bareLoop(porter: Porter, count: Int, concurrency: Int) async throws -> Duration {
        try await ContinuousClock().measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<concurrency {
                    group.addTask {
                        for index in stride(from: worker, to: count, by: concurrency) {
                            _ = try await porter.sandboxes.create(
                                image: "bench:1", name: "bare-\(index)-g1",
                                tags: [
                                    "porter-fleet/fleet": "bare", "porter-fleet/name": "bare-\(index)", "porter-fleet/generation": "1",
                                    "porter-fleet/spec-hash": "0123456789abcdef",
                                ],
                                command: ["sleep", "infinity"])
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Seconds the Python SDK loop took, or nil (with a note) when `porter-sandbox` is not installed.
    static func pythonLoop(url: String, count: Int, threads: Int, prefix: String) throws -> Double? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("python_sdk_loop.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--base-url", url, "--count", String(count), "--threads", String(threads), "--prefix", prefix]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            print("  the Python SDK loop did not run (pip install porter-sandbox); its ratio is left out")
            return nil
        }
        return seconds
    }

    /// Converge `count` against a second local API that takes `quota` requests a second (429 beyond it),
    /// at default flags; optionally the limiter's state every 100 ms as CSV (for the plot).
    static func throttled(count: Int, quota: Int, directory: URL, options: ControllerOptions, csv: String?) async throws {
        let (server, url) = try startServer(directory: directory, name: "throttled", extra: ["--rate-limit", String(quota)])
        defer { server.terminate() }
        let store = try SQLiteFleetStore(path: directory.appendingPathComponent("throttled.db").path)
        try store.claim(fleetID: "throttled")
        try await apply(set: "t", replicas: count, to: store)
        let metrics = FleetMetrics()
        let (controller, porter) = try Self.controller(store: store, url: url, options: options, metrics: metrics)
        let started = ContinuousClock.now
        let sampler = Task { try await sample(controller.flow, metrics: metrics, since: started) }
        var created = 0
        var failed: [ActionFailure] = []
        var passes = 0
        while created < count, passes < 50 {
            let result = try await controller.reconcileOnce()
            created += result.succeeded.filter { $0.kind == .createSandbox || $0.kind == .adoptSandbox }.count
            failed += result.failed
            passes += 1
        }
        let elapsed = ContinuousClock.now - started
        sampler.cancel()
        let rows = (try? await sampler.value) ?? []
        try await porter.shutdown()
        let exposition = metrics.render()
        let accepted = attempts(in: exposition, route: "/v1/sandbox/run", code: "201")
        let refused = attempts(in: exposition, route: "/v1/sandbox/run", code: "429")
        let ideal = Double(count) / Double(quota)
        print(String(format: "throttled: converge 0 → %d against an API taking %d requests/s, default flags: every create done in %.2f s over %d passes; ideal %.0f s, ratio %.2f (goal ≤ 1.15)", count, quota, seconds(elapsed), passes, ideal, seconds(elapsed) / ideal))
        print(String(format: "  creates answered 429: %d of %d accepted (%.1f%%, goal ≤ 10%%); failed actions: %d (goal 0); learned rate at the end %.1f/s, limit %.1f, %d backoffs",
            refused, accepted, 100 * Double(refused) / Double(max(1, accepted)), failed.count, controller.flow.snapshot.learnedRate ?? 0, controller.flow.snapshot.limit, controller.flow.snapshot.backoffs))
        if let csv {
            let header = "seconds,limit,in_flight,learned_rate,creates_per_s,throttled_total\n"
            try (header + rows.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
            print("  the limiter over time: \(csv) (Benchmarks/plot_flow_control.py draws it)")
        }
    }

    /// The limiter's state every 100 ms until cancelled, as CSV rows.
    static func sample(_ flow: FlowControl, metrics: FleetMetrics, since started: ContinuousClock.Instant) async throws -> [String] {
        var rows: [String] = []
        var previousCreated = 0
        while !Task.isCancelled {
            let snapshot = flow.snapshot
            let exposition = metrics.render()
            let created = attempts(in: exposition, route: "/v1/sandbox/run", code: "201")
            let throttled = attempts(in: exposition, route: "/v1/sandbox/run", code: "429")
            rows.append(String(format: "%.2f,%.2f,%d,%.2f,%d,%d", seconds(ContinuousClock.now - started), snapshot.limit, snapshot.inFlight, snapshot.learnedRate ?? 0, (created - previousCreated) * 10, throttled))
            previousCreated = created
            try? await Task.sleep(for: .milliseconds(100))
        }
        return rows
    }

    /// The value of `porter_fleet_api_requests_total` for a POST to `route` answered `code`.
    static func attempts(in exposition: String, route: String, code: String) -> Int {
        let prefix = "porter_fleet_api_requests_total{method=\"POST\",route=\"\(route)\",code=\"\(code)\"} "
        return exposition.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }
}
