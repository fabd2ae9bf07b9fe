import AsyncHTTPClient
import FleetStoreSQLite
import Foundation
import Synchronization

extension ReconcilerBenchmark {
    /// Starts `porter-fleet run` on the store at `db` with its default flags (the metrics listener on a free
    /// port), waits for its steady state, then measures the process's CPU over a window of passes divided
    /// by the passes (idle time between them and the metrics scrapes included), and its peak RSS.
    static func daemonNoop(db: String, url: String, count: Int, window: Int = 3) async throws {
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter-fleet")
        daemon.arguments = ["run", "--db", db, "--api-url", url, "--metrics-listen", "127.0.0.1:0"]
        let log = LineCollector()
        daemon.standardError = log.pipe
        try daemon.run()
        log.start()
        defer {
            daemon.terminate()
            daemon.waitUntilExit()
        }
        let metrics = try await log.waitFor(pattern: "metrics on ")
        let passes = { try await successfulPasses(metrics: String(metrics.split(separator: " ").last ?? "")) }
        // Steady state: the first pass reads the store, later ones only the revisions while nothing changes.
        while try await passes() < 2 { try await Task.sleep(for: .milliseconds(200)) }
        let first = try await nextPass(after: try await passes(), passes)
        let cpuBefore = processCPUSeconds(pid: daemon.processIdentifier)
        let wallBefore = ContinuousClock.now
        _ = try await nextPass(after: first + window - 1, passes)
        let cpu = processCPUSeconds(pid: daemon.processIdentifier) - cpuBefore
        print(String(format: "daemon no-op over %d in-sync sandboxes (porter-fleet run, default flags): CPU %.0f ms a pass over %d passes in %.0f s (goal ≤ 200 ms)",
            count, cpu * 1000 / Double(window), window, seconds(ContinuousClock.now - wallBefore)))
        print(String(format: "resident memory of a porter-fleet run daemon keeping %d sandboxes: peak %.1f MB (goal ≤ 80 MB)", count, peakResidentMegabytes(pid: daemon.processIdentifier)))
        try await dashboard(of: daemon, metrics: String(metrics.split(separator: " ").last ?? ""), db: db, count: count, passes: passes)
    }

    /// The dashboard of that daemon: its first render and JSON status, then three passes with a page
    /// listening for changes; the daemon's peak memory, and whether those passes wrote anything.
    static func dashboard(of daemon: Process, metrics: String, db: String, count: Int, passes: () async throws -> Int) async throws {
        let base = String(metrics.dropLast("metrics".count))
        let revisionBefore = try SQLiteFleetStore(path: db, create: false).reconcilerRevision()
        let updates = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "api/v1/updates"), timeout: .seconds(600))
        var started = ContinuousClock.now
        let page = try await HTTPClient.shared.execute(HTTPClientRequest(url: base), timeout: .seconds(30))
        let html = try await page.body.collect(upTo: 1 << 26)
        let render = ContinuousClock.now - started
        started = ContinuousClock.now
        let status = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "api/v1/status"), timeout: .seconds(30))
        _ = try await status.body.collect(upTo: 1 << 26)
        let json = ContinuousClock.now - started
        _ = try await nextPass(after: try await passes() + 2, passes)
        let revisionAfter = try SQLiteFleetStore(path: db, create: false).reconcilerRevision()
        print(String(format: "dashboard over %d logical sandboxes: first render %.0f ms (%d KB, one page of 100 rows; goal ≤ 1 s), /api/v1/status %.0f ms; with a page listening, three more passes: peak RSS %.1f MB (goal ≤ 100 MB), store written: %@",
            count, seconds(render) * 1000, html.readableBytes / 1024, seconds(json) * 1000, peakResidentMegabytes(pid: daemon.processIdentifier),
            revisionAfter == revisionBefore ? "no" : "yes"))
        _ = updates
    }

    /// Waits until more than `count` passes succeeded; returns how many have.
    static func nextPass(after count: Int, _ passes: () async throws -> Int) async throws -> Int {
        while true {
            let now = try await passes()
            if now > count { return now }
            // A scrape every 2 s (Prometheus scrapes every 15 s or more; its CPU is counted in the window).
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// `porter_fleet_reconcile_total{result="success"}` from the daemon's `/metrics`.
    static func successfulPasses(metrics url: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 22))
        let prefix = "porter_fleet_reconcile_total{result=\"success\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    /// User and system CPU of a process, from `/proc/PID/stat`.
    static func processCPUSeconds(pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The peak resident set of a process (`VmHWM`), in MB.
    static func peakResidentMegabytes(pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return -1 }
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }
}

/// Collects a child's output lines on a thread of its own (so the child never blocks on a full pipe).
final class LineCollector: Sendable {
    let pipe = Pipe()
    private let lines = Mutex<[String]>([])

    func start() {
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            var pending = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { return }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending.removeSubrange(pending.startIndex...newline)
                    self.lines.withLock { $0.append(line) }
                }
            }
        }
    }

    /// The first line containing `pattern`, waiting up to 30 s for it.
    func waitFor(pattern: String) async throws -> String {
        for _ in 0..<300 {
            if let line = lines.withLock({ $0.first { $0.contains(pattern) } }) { return line }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchmarkError(message: "the daemon never logged '\(pattern)'")
    }
}
