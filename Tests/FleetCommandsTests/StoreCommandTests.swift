import FleetStore
import FleetStorePostgres
import FleetTestSupport
import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

/// `store info`, `store copy`, PostgreSQL URLs on the command line, and `run --sync-from`.
@Suite("Store commands")
struct StoreCommandTests {
    @Test func aStoreIsCopiedToPostgreSQLAndBackAndADestinationWithAFleetIsRefused() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", sandboxManifest("api") + "---\n" + sandboxManifest("web"))).code == 0)
        let fleet = try #require(await cli.run("settings", "-o", "json").out.firstMatch(of: /"fleet_id" : "([^"]+)"/)?.output.1)
        let url = try await TestPostgres.freshDatabase()
        var withPassword = url
        withPassword.password = "never-printed"

        let copied = await cli.run(["store", "copy", "--from", cli.database, "--to", url.description])
        #expect(copied.code == 0, "\(copied.err)")
        #expect(copied.out.contains("copied 2 desired resources") && copied.out.contains("to postgres \(url.description) (fleet \(fleet))"))
        let info = await cli.run(["store", "info", "--db", url.description, "-o", "json"])
        #expect(info.out.contains("\"engine\" : \"postgres\"") && info.out.contains("\"fleet\" : \"\(fleet)\"") && info.out.contains("\"Sandbox\" : 2"))
        let listed = await cli.run(["get", "--db", url.description, "-o", "name"])
        #expect(listed.out == "sandbox/api\nsandbox/web\n")

        let again = await cli.run(["store", "copy", "--from", cli.database, "--to", url.description])
        #expect(again.code == 1 && again.err.contains("already holds a fleet; nothing was copied. Pass --force"))
        #expect(await cli.run(["delete", "sandbox", "web", "--db", cli.database]).code == 0)
        #expect(await cli.run(["store", "copy", "--from", cli.database, "--to", url.description, "--force"]).code == 0)
        #expect(await cli.run(["get", "--db", url.description, "-o", "name"]).out == "sandbox/api\n", "--force replaces everything")

        let back = cli.directory.appendingPathComponent("back.db").path
        #expect(await cli.run(["store", "copy", "--from", url.description, "--to", back]).code == 0)
        #expect(await cli.run(["get", "--db", back, "-o", "name"]).out == "sandbox/api\n")
        let refused = await cli.run(["store", "info", "--db", "postgres://porter_fleet_nobody:never-printed@\(url.host):\(url.port)/\(url.database)"])
        #expect(refused.code == 1 && refused.err.contains("postgres://porter_fleet_nobody:***@") && !refused.err.contains("never-printed"))
    }

    @Test func badStoreAddressesAreOneLineErrors() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let scheme = await cli.run(["get", "--db", "mysql://fleet@db/fleet"])
        #expect(scheme.code == 1 && scheme.err == "--db: unknown scheme 'mysql://'; give a file path (SQLite) or a postgres://user@host[:port]/database URL\n")
        let mode = await cli.run(["get", "--db", "postgres://fleet@db/fleet?sslmode=maybe"])
        #expect(mode.code == 1 && mode.err.contains("sslmode 'maybe'"))
        let refused = await cli.run(["get", "--db", "postgres://fleet:pw@127.0.0.1:1/fleet"])
        #expect(refused.code == 1 && refused.err.contains("postgres://fleet:***@127.0.0.1:1/fleet: connection refused") && !refused.err.contains(":pw@"))
        #expect(refused.err.split(separator: "\n").count == 1, "\(refused.err)")
        let same = await cli.run(["store", "copy", "--from", cli.database, "--to", cli.database])
        #expect(same.code == 1 && same.err.contains("name the same store"))
    }

    /// `run --sync-from DIR` on a new store: the directory is the desired state, applied at start and on
    /// every change; a broken edit changes nothing.
    @Test func runSyncsTheDesiredStateFromADirectory() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let porter = try Porter(baseURL: api.baseURL, environment: [:])
        defer {
            Task {
                try? await porter.shutdown()
                await api.stop()
            }
        }
        let manifests = cli.directory.appendingPathComponent("manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try sandboxManifest("api").write(to: manifests.appendingPathComponent("api.yaml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = [
            "run", "--db", cli.database, "--api-url", api.baseURL, "--sync-from", manifests.path, "--resync", "1s", "--metrics-listen", "off",
            "--log-level", "error", "--fleet", "fleet-synctest01",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        func live() async throws -> [String] {
            var names: [String] = []
            for try await sandbox in porter.sandboxes.all(tags: ["porter-fleet/fleet": "fleet-synctest01"], phases: [.queued, .creating, .running]) {
                names.append(sandbox.name ?? "")
            }
            return names.sorted()
        }
        func waitFor(_ expected: [String]) async throws -> [String] {
            let deadline = Date().addingTimeInterval(30)
            var names = try await live()
            while names != expected, Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                names = try await live()
            }
            return names
        }
        #expect(try await waitFor(["api-g1"]) == ["api-g1"])
        try sandboxManifest("web").write(to: manifests.appendingPathComponent("web.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: manifests.appendingPathComponent("api.yaml"))
        #expect(try await waitFor(["web-g1"]) == ["web-g1"], "a new file is applied and a removed one pruned")
        try "kind: Sandbox\nname: [broken".write(to: manifests.appendingPathComponent("web.yaml"), atomically: true, encoding: .utf8)
        try await Task.sleep(for: .seconds(3))
        #expect(try await live() == ["web-g1"], "a broken edit changes nothing")
        #expect(await cli.run("get", "-o", "name").out == "sandbox/web\n")
    }
}
