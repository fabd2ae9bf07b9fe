import FleetStore
import FleetStoreSQLite
import Foundation
import Testing

/// Environment values are secrets: changing `env.DB_PASSWORD` shows in `diff`, `apply --dry-run`,
/// `plan` (text and JSON), the events and the dashboard as changed, never with the old or new value;
/// `export` and `get -o yaml` keep the values, since they must round-trip.
@Suite("Environment values in output")
struct SecretsInOutputTests {
    static let oldValue = "old-pass-7f3a"
    static let newValue = "new-pass-91c2"
    static let addedValue = "added-tok-55e0"

    static func manifest(password: String, extra: String = "") -> String {
        sandboxManifest("api", extra: "  env: {DB_PASSWORD: \(password)\(extra)}\n")
    }

    static func expectNoValues(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for value in [oldValue, newValue, addedValue] {
            #expect(!text.contains(value), "\(what) shows a value: \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func aChangedPasswordIsShownAsChangedEverywhere() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let url = api.baseURL
        let file = try cli.write("api.yaml", Self.manifest(password: Self.oldValue))
        #expect(await cli.run("apply", "-f", file).code == 0)
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", url).code == 0)
        try Self.manifest(password: Self.newValue, extra: ", API_TOKEN: \(Self.addedValue)").write(toFile: file, atomically: true, encoding: .utf8)

        let diff = await cli.run("diff", "-f", file)
        #expect(diff.out.contains("~ spec.env.DB_PASSWORD: (changed)") && diff.out.contains("+ spec.env.API_TOKEN: (set)"), "\(diff.out)")
        Self.expectNoValues(diff.out + diff.err, "diff")
        Self.expectNoValues(await cli.run("diff", "-f", file, "-o", "json").out, "diff -o json")
        let dryRun = await cli.run("apply", "--dry-run", "-f", file)
        #expect(dryRun.out.contains("~ spec.env.DB_PASSWORD: (changed)"), "\(dryRun.out)")
        Self.expectNoValues(dryRun.out + dryRun.err, "apply --dry-run")

        #expect(await cli.run("apply", "-f", file).code == 0)
        let plan = await cli.run("plan", "--api-url", url)
        #expect(plan.out.contains("    ~ spec.env.DB_PASSWORD: (changed)\n"), "\(plan.out)")
        Self.expectNoValues(plan.out, "plan")
        let planJSON = await cli.run("plan", "--api-url", url, "-o", "json").out
        #expect(planJSON.contains("\"secret\" : true"), "\(planJSON)")
        Self.expectNoValues(planJSON, "plan -o json")

        let reconcile = await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", url)
        #expect(reconcile.code == 0)
        Self.expectNoValues(reconcile.out + reconcile.err, "reconcile")
        let events = await cli.run("events")
        #expect(events.out.contains("~ spec.env.DB_PASSWORD: (changed)"), "the Drift event names the field: \(events.out)")
        Self.expectNoValues(events.out, "events")
        Self.expectNoValues(await cli.run("events", "-o", "json").out, "events -o json")
        Self.expectNoValues(await cli.run("status").out, "status")
        Self.expectNoValues(await cli.run("get").out, "get")
        let stored = try await SQLiteFleetStore(path: cli.database, create: false).events().map(\.message).joined(separator: "\n")
        #expect(stored.contains("(changed)"))
        Self.expectNoValues(stored, "the store's events")

        // The desired state itself keeps the values: exporting must round-trip.
        #expect(await cli.export().contains(Self.newValue))
        #expect(await cli.run("get", "sandbox", "api", "-o", "yaml").out.contains(Self.newValue))

        let server = try DashboardTests.Server(["dashboard", "--db", cli.database, "--listen", "127.0.0.1:0", "--api-url", url])
        defer { server.stop() }
        let dashboard = try await server.wait(for: #"dashboard: (http://\S+)"#)
        for path in ["", "sandbox/api", "api/v1/status", "api/v1/events", "api/v1/history/api", "api/v1/plan"] {
            let page = try await DashboardTests.get(dashboard + path)
            #expect(page.status == 200, "\(path)")
            Self.expectNoValues(page.body, "the dashboard's /\(path)")
        }
        #expect(try await DashboardTests.get(dashboard + "api/v1/events").body.contains("(changed)"))
        await api.stop()
    }
}
