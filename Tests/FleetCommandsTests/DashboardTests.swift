import AsyncHTTPClient
import FleetStore
import FleetStoreSQLite
import Foundation
import NIOCore
import Synchronization
import Testing

/// The dashboard as real processes serve it: `porter-fleet dashboard` and `run` on a real store file,
/// read over HTTP (the browser tests in Tests/conformance drive the pages in Chromium).
@Suite("The dashboard")
struct DashboardTests {
    /// A `porter-fleet` child process whose standard output is collected, and the URL it printed.
    final class Server {
        let process = Process()
        let output = StreamCapture()
        var url = ""

        init(_ arguments: [String]) throws {
            process.executableURL = CLIHarness.binary
            process.arguments = arguments
            process.standardOutput = output.pipe
            process.standardError = output.pipe
            try process.run()
        }

        /// Waits for `pattern` in the output; returns the first capture group.
        func wait(for pattern: String, seconds: Double = 30) async throws -> String {
            let expression = try Regex(pattern)
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let match = output.text.firstMatch(of: expression), let group = match.output[1].substring { return String(group) }
                if !process.isRunning { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw DashboardTestFailure(message: "'\(pattern)' did not appear: \(output.text)")
        }

        func stop() {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            output.stop()
        }
    }

    struct DashboardTestFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// A server-sent event stream read in the background, so that waiting for a line can time out.
    final class EventStream: Sendable {
        private final class Read: Sendable {
            let text = Mutex("")
            let type = Mutex<String?>(nil)
            let ended = Mutex(false)
        }

        private let read = Read()
        private let reader: Task<Void, any Error>

        init(_ url: String) {
            let read = read
            reader = Task {
                defer { read.ended.withLock { $0 = true } }
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                read.type.withLock { $0 = response.headers.first(name: "content-type") }
                for try await chunk in response.body { read.text.withLock { $0 += String(buffer: chunk) } }
            }
        }

        /// The stream's `Content-Type`, once its head arrived.
        var contentType: String? { read.type.withLock { $0 } }

        /// Everything read once it contains `wanted`; fails after `seconds`.
        func wait(for wanted: String, seconds: Double = 10) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                let text = read.text.withLock { $0 }
                if text.contains(wanted) { return text }
                try await Task.sleep(for: .milliseconds(20))
            }
            reader.cancel()
            throw DashboardTestFailure(message: "no '\(wanted)' within \(seconds) s; read: \(read.text.withLock { $0 })")
        }

        /// Waits for the server to end the stream; fails after `seconds`.
        func waitForEnd(seconds: Double = 10) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !read.ended.withLock({ $0 }) {
                guard ContinuousClock.now < deadline else {
                    reader.cancel()
                    throw DashboardTestFailure(message: "the stream did not end within \(seconds) s")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    static func get(_ url: String, headers: [(String, String)] = []) async throws -> (status: UInt, headers: [(String, String)], body: String) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 24)
        return (response.status.code, response.headers.map { ($0.name, $0.value) }, String(buffer: body))
    }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func aStoreIsShownReadOnlyWithItsJSONAPI() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: web\ntags: {team: ml}\nspec:\n  replicas: 3\n  template: {image: busybox, command: [sleep, infinity], env: {API_TOKEN: s3cret}}\n"
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", set)).code == 0)
        let api = try await cli.startLocalAPI()
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", api.baseURL).code == 0)
        let before = try SQLiteFleetStore(path: cli.database, create: false).reconcilerRevision()

        let server = try Server(["dashboard", "--db", cli.database, "--listen", "127.0.0.1:0", "--api-url", api.baseURL])
        defer { server.stop() }
        let url = try await server.wait(for: #"dashboard: (http://\S+)"#)
        let page = try await Self.get(url)
        #expect(page.status == 200 && page.body.contains("<tr data-name=\"web-1\">") && page.body.contains("in sync: nothing to do"))
        #expect(page.headers.contains { $0.0.lowercased() == "content-security-policy" && $0.1.contains("script-src 'self'") })
        let status = Self.json(try await Self.get(url + "api/v1/status?selector=team%3Dml&sort=name&order=desc").body)
        let rows = status["rows"] as? [[String: Any]] ?? []
        #expect(rows.map { $0["name"] as? String } == ["web-2", "web-1", "web-0"] && rows.allSatisfy { $0["health"] as? String == "Healthy" })
        #expect((status["header"] as? [String: Any])?["engine"] as? String == "sqlite")
        let filtered = Self.json(try await Self.get(url + "api/v1/status?selector=team%3Dother").body)
        #expect((filtered["rows"] as? [Any])?.isEmpty == true && filtered["matched"] as? Int == 0)
        let history = Self.json(try await Self.get(url + "api/v1/history/web-0").body)
        #expect((history["generations"] as? [[String: Any]])?.first?["actual_name"] as? String == "web-0-g1")
        #expect(history["environment_keys"] as? [String] == ["API_TOKEN"])
        let detail = try await Self.get(url + "sandbox/web-0")
        #expect(detail.status == 200 && detail.body.contains("API_TOKEN") && !detail.body.contains("s3cret"), "values are never shown")
        #expect(try await Self.get(url + "sandbox/nothing").status == 404)
        #expect(try await Self.get(url + "api/v1/logs/web-0").status == 404, "logs only with --dashboard-logs")
        let withLogs = try Server(["dashboard", "--db", cli.database, "--listen", "127.0.0.1:0", "--api-url", api.baseURL, "--dashboard-logs"])
        defer { withLogs.stop() }
        let logsURL = try await withLogs.wait(for: #"dashboard: (http://\S+)"#)
        let tail = Self.json(try await Self.get(logsURL + "api/v1/logs/web-0").body)
        #expect(tail["logs"] is [String] && tail["note"] as? String == "", "read through the API: \(tail)")
        #expect(Self.json(try await Self.get(logsURL + "api/v1/logs/nothing").body)["note"] as? String == "no live generation")
        let plan = Self.json(try await Self.get(url + "api/v1/plan").body)
        #expect(plan["available"] as? Bool == true && plan["in_sync"] as? Bool == true)
        let events = try await Self.get(url + "api/v1/events?limit=2")
        #expect((try JSONSerialization.jsonObject(with: Data(events.body.utf8)) as? [Any])?.count == 2)
        #expect(try SQLiteFleetStore(path: cli.database, create: false).reconcilerRevision() == before, "reading changes nothing")
        await api.stop()
    }

    @Test func pagesAreToldWhenTheStoreChanges() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let server = try Server(["dashboard", "--db", cli.database, "--listen", "127.0.0.1:0"])
        defer { server.stop() }
        let url = try await server.wait(for: #"dashboard: (http://\S+)"#)
        let updates = EventStream(url + "api/v1/updates")
        _ = try await updates.wait(for: "retry:")
        #expect(updates.contentType == "text/event-stream")
        // Timed from when the write is committed: the apply itself may take seconds under the suite's load.
        #expect(await cli.run("apply", "-f", try cli.write("b.yaml", sandboxManifest("b"))).code == 0)
        let started = ContinuousClock.now
        let received = try await updates.wait(for: "event: changed")
        #expect(received.contains("event: changed\ndata: {\"desired\":"), "\(received)")
        // The server looks for changes every 500 ms; the page promises a change within 5 s. The bound leaves
        // room for this suite's load on two cores (5.3 s was seen beside the other tests).
        #expect(ContinuousClock.now - started < .seconds(10), "announced within seconds of the change")
        // A page that shows the store as it was before that change is told at once.
        let page = try await Self.get(url)
        let stale = page.body.firstMatch(of: #/data-updates="([^"]+)"/#).map { String($0.output.1).replacingOccurrences(of: "&amp;", with: "&") } ?? ""
        #expect(stale.hasPrefix("/api/v1/updates?desired=2&reconciler=0"), "\(stale)")
        let old = EventStream(url + String(stale.dropFirst()).replacingOccurrences(of: "desired=2", with: "desired=1"))
        #expect(try await old.wait(for: "event: changed").contains("\"desired\":2"))
        server.stop()
        #expect(server.process.terminationStatus == 0, "Ctrl-C ends open update streams and the server at once")
        try await updates.waitForEnd()
        try await old.waitForEnd()
    }

    @Test func beyondLoopbackATokenIsRequired() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let refused = await cli.run("dashboard", "--listen", "0.0.0.0:0")
        #expect(refused.code == 64 && refused.err.contains("--dashboard-token"), "\(refused.err)")
        let daemon = await cli.run("run", "--metrics-listen", "0.0.0.0:0", "--api-url", "http://127.0.0.1:9")
        #expect(daemon.code == 64 && daemon.err.contains("PORTER_FLEET_DASHBOARD_TOKEN"), "\(daemon.err)")

        let token = "t0ken-\(UUID().uuidString)"
        let server = try Server(["dashboard", "--db", cli.database, "--listen", "0.0.0.0:0", "--dashboard-token", token])
        defer { server.stop() }
        let address = try await server.wait(for: #"dashboard: http://0\.0\.0\.0:(\d+)/"#)
        let url = "http://127.0.0.1:\(address)/"
        #expect(try await Self.get(url).status == 401)
        #expect(try await Self.get(url + "api/v1/status").status == 401)
        #expect(try await Self.get(url, headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(try await Self.get(url + "healthz").status == 200, "health checks need no token")
        #expect(try await Self.get(url + "api/v1/status", headers: [("Authorization", "Bearer \(token)")]).status == 200)
        let noRedirects = HTTPClient(configuration: .init(redirectConfiguration: .disallow))
        let login = try await noRedirects.execute(HTTPClientRequest(url: url + "?token=\(token)"), timeout: .seconds(10))
        try await noRedirects.shutdown()
        #expect(login.status.code == 303 && login.headers.first(name: "set-cookie")?.contains("HttpOnly") == true)
        #expect(try await Self.get(url, headers: [("Cookie", "porter_fleet_dashboard=\(token)")]).status == 200)
        #expect(!server.output.text.contains(token), "the token is never printed")
    }

    @Test func textFromTheStoreIsEscaped() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let hostile = "<script>alert(1)</script>"
        let manifest = sandboxManifest("h", image: "'\(hostile)'")
        #expect(await cli.run("apply", "-f", try cli.write("h.yaml", manifest)).code == 0)
        let server = try Server(["dashboard", "--db", cli.database, "--listen", "127.0.0.1:0"])
        defer { server.stop() }
        let url = try await server.wait(for: #"dashboard: (http://\S+)"#)
        let page = try await Self.get(url + "sandbox/h")
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.body.contains(hostile))
        let partial = try await Self.get(url + "partials/fleet?q=%3Cscript%3E")
        #expect(!partial.body.contains("<script>"))
        let main = try await Self.get(url + "?q=%22%3E%3Cscript%3Ex%3C/script%3E")
        #expect(!main.body.contains("\"><script>x") && main.body.contains("&quot;&gt;&lt;script&gt;x"))
    }
}
