import FleetCommands
import Foundation
import Testing

/// kubectl, git and terraform habits: global options before the verb, and unknown verbs named.
@Suite("Global options and unknown commands")
struct GlobalOptionsTests {
    @Test func globalOptionsWorkBeforeTheVerb() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run(["--db", cli.database, "apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))]).code == 0)
        let table = await cli.run(["--db", cli.database, "get"])
        #expect(table.code == 0 && table.out.contains("Sandbox   a"), "\(table.err)")
        #expect(await cli.run(["--db", cli.database, "get", "-o", "name"]).out == "sandbox/a\n")
        let json = await cli.run(["--db=\(cli.database)", "-o", "json", "get", "sandbox", "a"])
        #expect(json.code == 0 && json.out.contains("\"items\""), "\(json.err)")
        let scaled = await cli.run(["--db", cli.database, "scale", "set", "missing", "--replicas", "1"])
        #expect(scaled.code == 1 && scaled.err.contains("not found"), "sub-verbs keep their place: \(scaled.err)")
        let refused = await cli.run(["--db", cli.database, "version"])
        #expect(refused.code == 64 && refused.err.contains("--db"), "a command without --db still refuses it by name")
    }

    @Test func anUnknownVerbIsNamedWithTheNearestCommand() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let typo = await cli.run(["--db", cli.database, "staus"])
        #expect(typo.code == 64)
        #expect(typo.err.hasPrefix("unknown command 'staus' (did you mean 'status'?)") && typo.err.hasSuffix("\n"), "\(typo.err)")
        #expect(!typo.err.contains("Unknown option"))
        let help = await cli.run(["help", "get"])
        #expect(help.code == 0 && help.out.contains("USAGE: porter-fleet get"), "the built-in help verb still works: \(help.err)")
    }
}

/// `get --watch` and `status --watch` show the view again when the store changes.
@Suite("--watch")
struct WatchTests {
    static func waitUntil(_ captured: CapturedOutput, contains text: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        while !captured.standardOutput.contains(text) {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    @Test(arguments: ["get", "status"])
    func aChangeIsShownWithoutRunningAgain(_ command: String) async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("first"))).code == 0)
        let captured = CapturedOutput()
        let database = cli.database
        let watcher = Task { await PorterFleetCommand.execute([command, "--db", database, "--watch"], output: captured.output) }
        defer { watcher.cancel() }
        #expect(try await Self.waitUntil(captured, contains: command == "get" ? "first" : "1 desired resources"), "\(captured.standardOutput)")
        #expect(await cli.run("apply", "-f", try cli.write("b.yaml", sandboxManifest("second"))).code == 0)
        #expect(try await Self.waitUntil(captured, contains: command == "get" ? "second" : "2 desired resources"), "\(captured.standardOutput)")
    }
}

/// `-o yaml` on every command that prints results: the fields and names of `-o json`, as YAML.
@Suite("YAML output")
struct YAMLOutputTests {
    @Test func readAndWriteCommandsPrintTheirJSONFieldsAsYAML() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let applied = await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("api")), "-o", "yaml")
        #expect(applied.code == 0 && applied.out == "dry_run: false\nitems:\n- action: created\n  kind: Sandbox\n  name: api\nrevision: 1\n", "\(applied.out)")
        let status = await cli.run("status", "-o", "yaml")
        #expect(status.out.contains("desired_resources: 1\n") && status.out.contains("\nsynced: 0\n"), "\(status.out)")
        let info = await cli.run(["store", "info", "--db", cli.database, "-o", "yaml"])
        #expect(info.out.contains("engine: sqlite\n") && info.out.contains("desired:\n  Sandbox: 1\n"), "\(info.out)")
        let events = await cli.run("events", "-o", "yaml")
        #expect(events.code == 0 && events.out == "[]\n")
        let settings = await cli.run("settings", "-o", "yaml")
        #expect(settings.out.hasPrefix("fleet_id: fleet-") && settings.out.contains("name_prefix: ''"), "\(settings.out)")
    }
}
