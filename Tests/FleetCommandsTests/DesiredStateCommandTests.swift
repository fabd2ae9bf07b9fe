import FleetModel
import FleetStore
import FleetStoreSQLite
import Foundation
import Testing

@Suite("Desired state from the CLI: apply, get, export, delete, scale, edit")
struct DesiredStateCommandTests {
    @Test func applyReportsCreatedConfiguredUnchangedAndPrunes() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let file = try cli.write("fleet/app.yaml", sandboxManifest("api") + "\n---\n" + sandboxManifest("worker"))
        let first = await cli.run("apply", "-f", file)
        #expect(first.code == 0 && first.err.isEmpty)
        #expect(first.out == "sandbox/api created\nsandbox/worker created\n")
        #expect(await cli.run("apply", "-f", file).out == "sandbox/api unchanged\nsandbox/worker unchanged\n")

        try cli.write("fleet/app.yaml", sandboxManifest("api", image: "python:3.13-slim"))
        let withoutPrune = await cli.run("apply", "-f", file)
        #expect(withoutPrune.out == "sandbox/api configured\n")
        #expect(await cli.run("get", "sandbox", "worker").code == 0, "without --prune nothing is removed")

        let dryRun = await cli.run("apply", "-f", file, "--prune", "--dry-run")
        #expect(dryRun.out == "sandbox/api unchanged (dry run)\nsandbox/worker pruned (dry run)\n")
        #expect(dryRun.code == 2, "something would change")
        #expect(await cli.run("get", "sandbox", "worker").code == 0, "a dry run changes nothing")

        let other = try cli.write("other.yaml", sandboxManifest("elsewhere"))
        #expect(await cli.run("apply", "-f", other).code == 0)
        let pruned = await cli.run("apply", "-f", file, "--prune", "-o", "json")
        let report = try JSONSerialization.jsonObject(with: Data(pruned.out.utf8)) as? [String: Any]
        let items = report?["items"] as? [[String: String]]
        #expect(items == [["kind": "Sandbox", "name": "api", "action": "unchanged"], ["kind": "Sandbox", "name": "worker", "action": "pruned"]])
        #expect(report?["dry_run"] as? Bool == false && report?["revision"] as? Int == 4)
        #expect(await cli.run("get", "sandbox", "elsewhere").code == 0, "--prune only removes what came from the applied paths")
    }

    @Test func directoriesApplyEveryManifestFileAndPruneByDirectory() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        try cli.write("dir/a.yaml", sandboxManifest("a"))
        try cli.write("dir/b.yml", sandboxManifest("b"))
        try cli.write("dir/c.json", #"{"apiVersion": "porter-fleet/v1", "kind": "Volume", "name": "c", "spec": {"deletion_policy": "delete"}}"#)
        try cli.write("dir/notes.txt", "not a manifest")
        let directory = cli.directory.appendingPathComponent("dir").path
        #expect(await cli.run("apply", "-f", directory).out == "sandbox/a created\nsandbox/b created\nvolume/c created\n")
        try FileManager.default.removeItem(atPath: cli.directory.appendingPathComponent("dir/b.yml").path)
        #expect(await cli.run("apply", "-f", directory, "--prune").out == "sandbox/a unchanged\nvolume/c unchanged\nsandbox/b pruned\n")
    }

    @Test func exportRoundTripsExactly() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        let yaml = await cli.export()
        #expect(yaml.contains("kind: SandboxSet") && yaml.contains("replicas: 3") && yaml.contains("- '8080'"))
        let exported = try cli.write("exported.yaml", yaml)
        #expect(await cli.run("apply", "-f", exported).out.split(separator: "\n").allSatisfy { $0.hasSuffix(" unchanged") })
        let json = await cli.run("export", "-o", "json").out
        let exportedJSON = try cli.write("exported.json", json)
        let fresh = try CLIHarness()
        defer { fresh.remove() }
        #expect(await fresh.run("apply", "-f", exportedJSON).code == 0)
        #expect(await fresh.export() == yaml, "a store rebuilt from the JSON export exports the same")
    }

    @Test func getShowsTablesJSONAndFilters() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        let table = await cli.run("get").out
        #expect(table.hasPrefix("KIND         NAME             SPEC                     SYNC   HEALTH   PHASE   AGE\n"))
        #expect(table.contains("SandboxSet   agent            3 × python:3.12-slim     -      -        -"))
        #expect(await cli.run("get", "-o", "wide").out.contains("SPEC-HASH"))
        #expect(await cli.run("get", "volumes").out.split(separator: "\n").count == 2)
        #expect(await cli.run("get", "all", "-l", "tier=web").out.split(separator: "\n").dropFirst().map { $0.split(separator: " ")[1] } == ["api"])
        let json = try JSONSerialization.jsonObject(with: Data(await cli.run("get", "sets", "-o", "json").out.utf8)) as? [String: Any]
        let item = (json?["items"] as? [[String: Any]])?.first
        #expect((json?["fleet"] as? String)?.hasPrefix("fleet-") == true && json?["revision"] as? Int == 1, "a new store gets a unique fleet id")
        #expect(item?["name"] as? String == "agent" && (item?["spec"] as? [String: Any])?["replicas"] as? Int == 3)
        #expect((item?["spec_hash"] as? String)?.count == 16)
        #expect((item?["status"] as? [String: Any])?.keys.sorted() == ["actual_name", "generation", "health", "phase", "sync"])
        let missing = await cli.run("get", "sandbox", "nope")
        #expect(missing.code == 1 && missing.err == "Sandbox 'nope' not found in the desired state\n")
        #expect(await cli.run("get", "widgets").code == 64)
    }

    @Test func deleteIsAllOrNothing() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        let before = await cli.export()
        let missing = await cli.run("delete", "sandbox", "api", "ghost")
        #expect(missing.code == 1 && missing.err.contains("Sandbox 'ghost' not found"))
        let mounted = await cli.run("delete", "volume", "shared-data")
        #expect(mounted.code == 1 && mounted.err.contains("Sandbox/api still mounts volume 'shared-data' at /mnt/data"))
        #expect(await cli.export() == before)
        #expect(await cli.run("delete", "sandbox", "api", "--dry-run").out == "sandbox/api pruned (dry run)\n")
        let refusedDry = await cli.run("delete", "volume", "shared-data", "--dry-run")
        #expect(refusedDry.code == 1 && refusedDry.err.contains("still mounts"), "a dry run applies the same rules")
        #expect(await cli.export() == before, "a dry run changes nothing")
        #expect(await cli.run("delete", "sandbox", "api").out == "sandbox/api pruned\n")
        #expect(await cli.run("delete", "volume", "shared-data").code == 0)
        #expect(await cli.run("delete", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 1, "api and the volume are gone already")
        #expect(await cli.run("delete").code == 64)
        #expect(await cli.run("delete", "sandbox").code == 64)
        #expect(await cli.run("delete", "sandbox", "x", "--all").code == 64)
        let all = await cli.run("delete", "--all")
        #expect(all.out == "sandboxset/agent pruned\nsandbox/nightly-report pruned\n")
        let store = try SQLiteFleetStore(path: cli.database, create: false)
        #expect(try await store.resources().isEmpty)
        #expect(try store.pruneAllRequestedRevision() == store.revision(), "delete --all is recorded for the reconciler")
        #expect(await cli.run("apply", "-f", try cli.write("one.yaml", sandboxManifest("one"))).code == 0)
        #expect(try store.pruneAllRequestedRevision() == nil, "a new desired state withdraws the request")
    }

    @Test func deleteByManifestFiles() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let file = try cli.write("two.yaml", sandboxManifest("one") + "\n---\n" + sandboxManifest("two"))
        #expect(await cli.run("apply", "-f", file).code == 0)
        #expect(await cli.run("delete", "-f", file).out == "sandbox/one pruned\nsandbox/two pruned\n")
    }

    @Test func scaleChangesReplicas() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        #expect(await cli.run("scale", "set", "agent", "--replicas", "7").out == "sandboxset/agent configured\n")
        #expect(await cli.run("scale", "set", "agent", "--replicas", "7").out == "sandboxset/agent unchanged\n")
        #expect(await cli.export().contains("replicas: 7"))
        #expect(await cli.run("scale", "set", "ghost", "--replicas", "1").code == 1)
        #expect(await cli.run("scale", "sandbox", "api", "--replicas", "1").code == 64)
        let negative = await cli.run("scale", "set", "agent", "--replicas", "-1")
        #expect(negative.code == 64 && negative.err.contains("between 0 and"), "a negative count is refused by its range, not as a missing value: \(negative.err)")
    }

    /// kubectl habits: a global option before a verb that does not take it is refused by name (never taken
    /// for the verb's argument), `help nosuch` is a usage error, an empty store path is refused, and a dry run
    /// leaves no store behind.
    @Test func globalOptionsHelpAndEmptyPathsAreRefusedClearly() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let explain = await cli.run(["--db", "x.db", "explain", "Sandbox"])
        #expect(explain.code == 64 && explain.err.contains("'explain' does not take --db"), "\(explain.err)")
        #expect(await cli.run(["-o", "json", "explain", "Sandbox"]).code == 64)
        #expect(await cli.run(["--db", cli.database, "get"]).code != 64, "a verb that takes it still gets it")
        #expect(await cli.run(["help", "nosuch"]).code == 64)
        #expect(await cli.run(["help", "get"]).code == 0)
        let empty = await cli.run(["get", "--db", ""])
        #expect(empty.code == 1 && empty.err.contains("path is empty"), "never the default store")
        let copy = await cli.run(["store", "copy", "--from", cli.database, "--to", ""])
        #expect(copy.code == 1 && copy.err.contains("path is empty"))
        let fresh = cli.directory.appendingPathComponent("never/fleet.db").path
        let dryRun = await cli.run(["apply", "--dry-run", "-f", try cli.write("a.yaml", sandboxManifest("a")), "--db", fresh])
        #expect(dryRun.code == 2 && dryRun.out.contains("created (dry run)"))
        #expect(!FileManager.default.fileExists(atPath: fresh), "a dry run creates no store")
    }

    /// What `-o name` prints is what `get`, `delete` and `scale` take, as with kubectl.
    @Test func theNameFormIsTakenBack() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        let names = await cli.run("get", "-o", "name").out.split(separator: "\n").map(String.init)
        let set = try #require(names.first { $0.hasPrefix("sandboxset/") })
        let sandbox = try #require(names.first { $0.hasPrefix("sandbox/") })
        for name in names {
            let got = await cli.run("get", name, "-o", "name")
            #expect(got.code == 0 && got.out == name + "\n", "\(name): \(got.err)")
        }
        #expect(await cli.run("scale", set, "--replicas", "4").code == 0)
        #expect(await cli.export().contains("replicas: 4"))
        let deleted = await cli.run("delete", sandbox, "--dry-run")
        #expect(deleted.code == 0 && deleted.out.contains("(dry run)"), "\(deleted.err)")
        #expect(await cli.run("get", "sandbox/a", "volume/b").code == 64, "one kind at a time")
        #expect(await cli.run("scale", "sandbox/x", "--replicas", "1").code == 64)
    }

    /// An API that refuses connections is named in the error, and under --log-format json the error is a
    /// JSON log line like every other line on stderr.
    @Test func anUnreachableAPIIsNamedAndJSONLogsStayJSON() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let refused = await cli.run("plan", "--api-url", "http://127.0.0.1:1")
        #expect(refused.code == 1 && refused.err == "cannot reach the Sandbox API at http://127.0.0.1:1: connection refused\n", "\(refused.err)")
        let json = await cli.run("plan", "--api-url", "http://127.0.0.1:1", "--log-format", "json")
        let lines = json.err.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] }, "\(json.err)")
    }

    @Test func editWorksInAPrivateFolder() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        let seen = cli.directory.appendingPathComponent("seen").path
        let script = try cli.write("look.sh", "#!/bin/sh\nstat -c '%a %U' \"$(dirname \"$1\")\" > \(seen)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let edited = try await ProcessHygieneTests.run(["edit", "--db", cli.database, "set", "agent"], environment: ["EDITOR": script, "VISUAL": script])
        #expect(edited.stdout.contains("unchanged"), "\(edited.stderr)")
        let mode = try String(contentsOfFile: seen, encoding: .utf8)
        #expect(mode.hasPrefix("700 "), "the file being edited sits in a 0700 folder of its own: \(mode)")
    }

    @Test func editAppliesValidChangesAndRefusesInvalidOnes() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", CLIHarness.fixture("valid/fleet.yaml")).code == 0)
        // The editor is named in the command's own environment: set in this process's, it would reach every
        // test running beside this one.
        func editor(replicas: Int) throws -> [String: String] {
            let script = try cli.write("edit\(replicas).sh", "#!/bin/sh\nsed -i -E \"s/replicas: [0-9]+/replicas: \(replicas)/\" \"$1\"\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
            return ["EDITOR": script, "VISUAL": script]
        }
        let edited = try await ProcessHygieneTests.run(["edit", "--db", cli.database, "set", "agent"], environment: try editor(replicas: 5))
        #expect(edited.stdout == "sandboxset/agent configured\n", "\(edited.stderr)")
        #expect(await cli.export().contains("replicas: 5"))
        let before = await cli.export()
        let invalid = try await ProcessHygieneTests.run(["edit", "--db", cli.database, "set", "agent"], environment: try editor(replicas: -2))
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("spec.replicas must be between 0 and 10000, not -2") && invalid.stderr.contains("nothing changed; your edit is kept in"))
        #expect(await cli.export() == before)
    }

    @Test func storeProblemsAreClearErrors() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let corrupt = try cli.write("corrupt.db", String(repeating: "this is not sqlite ", count: 100))
        let result = await cli.run(["get", "--db", corrupt])
        #expect(result.code == 1 && result.err.contains("not a porter-fleet store"))
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a")), "--fleet", "blue").code == 0)
        let mismatch = await cli.run("get", "--fleet", "green")
        #expect(mismatch.code == 1 && mismatch.err.contains("holds fleet 'blue', not 'green'"))
        #expect(await cli.run("get", "--fleet", "blue").code == 0)
        #expect(await cli.run("get").code == 0, "without --fleet the store's fleet is used")
    }

    @Test func parallelAppliesNeverLoseAnUpdate() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let files = try (0..<12).map { index in try cli.write("p\(index).yaml", sandboxManifest("p\(index)")) }
        let results = await withTaskGroup(of: CLIHarness.Result.self) { group in
            for file in files { group.addTask { await cli.run("apply", "-f", file) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.code) == Array(repeating: 0, count: 12), "\(results.map(\.err).filter { !$0.isEmpty })")
        let store = try SQLiteFleetStore(path: cli.database, create: false)
        #expect(try await store.resources().map(\.name).sorted() == (0..<12).map { "p\($0)" }.sorted())
        #expect(try store.revision() == 12, "every apply got its own revision")
        #expect(try store.integrityCheck() == "ok")
    }

    @Test func parallelApplyProcessesNeverLoseAnUpdate() async throws {
        let binary = CLIHarness.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "swift build builds porter-fleet next to the tests")
        let cli = try CLIHarness()
        defer { cli.remove() }
        let processes = try (0..<6).map { index -> Process in
            let file = try cli.write("q\(index).yaml", sandboxManifest("q\(index)") + "\n---\n" + sandboxManifest("r\(index)"))
            let process = Process()
            process.executableURL = binary
            process.arguments = ["apply", "--db", cli.database, "-f", file]
            process.standardOutput = FileHandle.nullDevice
            return process
        }
        for process in processes { try process.run() }
        try await offThePool { for process in processes { process.waitUntilExit() } }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 0, count: 6))
        let store = try SQLiteFleetStore(path: cli.database, create: false)
        #expect(try await store.resources().count == 12)
        #expect(try store.revision() == 6)
    }

    /// Two stores created with default settings get different fleet ids, so their controllers never
    /// take each other's sandboxes for orphans; `--fleet` at creation chooses one; an id is kept.
    @Test func everyNewStoreGetsItsOwnFleetID() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let manifest = try cli.write("a.yaml", sandboxManifest("a"))
        let second = cli.directory.appendingPathComponent("second.db").path
        let chosen = cli.directory.appendingPathComponent("chosen.db").path
        #expect(await cli.run("apply", "-f", manifest).code == 0)
        #expect(await cli.run(["apply", "--db", second, "-f", manifest]).code == 0)
        #expect(await cli.run(["apply", "--db", chosen, "--fleet", "team-a", "-f", manifest]).code == 0)
        let first = try SQLiteFleetStore(path: cli.database, create: false).settings().fleetID
        let other = try SQLiteFleetStore(path: second, create: false).settings().fleetID
        #expect(first.hasPrefix("fleet-") && other.hasPrefix("fleet-") && first != other)
        #expect(try SQLiteFleetStore(path: chosen, create: false).settings().fleetID == "team-a")
        #expect(await cli.run("get").code == 0)
        #expect(try SQLiteFleetStore(path: cli.database, create: false).settings().fleetID == first, "the id is kept")
        #expect(await cli.run("settings").out.contains("fleet: \(first)"))
    }

    /// `diff` and `apply --dry-run` show field-level changes, terraform style, and exit 2 when something
    /// would change, 0 when nothing would.
    @Test func diffShowsFieldLevelChanges() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let first = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\ntags: {team: ml}\nspec:\n  image: busybox\n  env: {DEBUG: \"1\", MODE: a}\n"
        let second = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\ntags: {team: ml, tier: web}\nspec:\n  image: busybox:1.36\n  env: {MODE: b}\n"
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", first)).code == 0)
        let changed = try cli.write("b.yaml", second)
        let diff = await cli.run("diff", "-f", changed)
        #expect(diff.code == 2)
        #expect(diff.out == """
            sandbox/api configured (dry run)
                - spec.env.DEBUG: (removed)
                ~ spec.env.MODE: (changed)
                ~ spec.image: "busybox" → "busybox:1.36"
                + tags.tier: "web"

            """)
        #expect(await cli.run("apply", "-f", changed, "--dry-run").out == diff.out, "apply --dry-run shows the same")
        #expect(await cli.run("get", "sandbox", "api", "-o", "yaml").out.contains("image: busybox\n"), "nothing changed")
        let same = await cli.run("diff", "-f", try cli.write("c.yaml", first))
        #expect(same.code == 0 && same.out == "sandbox/api unchanged (dry run)\n")
        let json = try JSONSerialization.jsonObject(with: Data(await cli.run("diff", "-f", changed, "-o", "json").out.utf8)) as? [String: Any]
        let item = (json?["items"] as? [[String: Any]])?.first
        #expect((item?["changes"] as? [String])?.contains("~ spec.image: \"busybox\" → \"busybox:1.36\"") == true)
    }

    @Test func settingsShowAndSetTheNamePrefix() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("settings", "--name-prefix", "team-a-").out.contains("name prefix: team-a-"))
        let json = await cli.run("settings", "-o", "json").out
        #expect(json.contains("\"fleet_id\" : \"fleet-") && json.contains("\"name_prefix\" : \"team-a-\""), "a new store's unique id")
        let long = try cli.write("long.yaml", sandboxManifest(String(repeating: "a", count: 50)))
        let refused = await cli.run("apply", "-f", long)
        #expect(refused.code == 1 && refused.err.contains("at most 48"), "the prefix counts against the name length")
        #expect(await cli.run("apply", "-f", try cli.write("ok.yaml", sandboxManifest("ok"))).code == 0)
        let locked = await cli.run("settings", "--name-prefix", "b-")
        #expect(locked.code == 1 && locked.err.contains("only change while the desired state is empty"))
        #expect(await cli.run("settings", "--name-prefix", "Bad_").code == 1)
    }

    @Test func everyCommandHasHelp() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        for command in [["--help"], ["apply", "--help"], ["delete", "--help"], ["get", "--help"], ["export", "--help"], ["scale", "--help"], ["edit", "--help"], ["settings", "--help"], ["local", "serve", "--help"], ["version", "--help"]] {
            let result = await cli.run(command)
            #expect(result.code == 0, "\(command)")
            #expect(result.out.contains("USAGE:"), "\(command)")
        }
        #expect(await cli.run(["--version"]).out == "0.1.0\n")
        #expect(await cli.run(["frobnicate"]).code == 64)
    }
}
