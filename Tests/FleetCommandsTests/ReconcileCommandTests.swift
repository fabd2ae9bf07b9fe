import FleetCommands
import FleetStore
import FleetStoreSQLite
import Foundation
import LocalSandboxAPI
import Logging
import PorterSandbox
import Testing

/// plan, reconcile, status, events, exec, logs and gc from the CLI against a local Sandbox API that
/// runs real processes.
@Suite("Reconcile commands end to end")
struct ReconcileCommandTests {
    /// A lost store, applied again: `fleets` finds the old fleet's id, the new fleet holds instead of
    /// starting the same workloads twice, and `apply --fleet OLD` into a fresh store takes the fleet over.
    /// `get -o yaml` shows the observed status as kubectl does, and still applies back unchanged.
    @Test func getYAMLCarriesTheStatusAndRoundTrips() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI { $0.runtime = .simulated }
        defer { Task { await api.stop() } }
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", sandboxManifest("api"))).code == 0)
        #expect(await cli.run("reconcile", "--api-url", api.baseURL, "--once", "--wait", "--timeout", "30s").code == 0)
        let yaml = await cli.run("get", "-o", "yaml").out
        #expect(yaml.contains("status:\n  actual_name: api-g1\n  generation: 1\n  health: Healthy\n  phase: running\n  sync: Synced\n"), "\(yaml)")
        let again = await cli.run("apply", "-f", try cli.write("again.yaml", yaml))
        #expect(again.code == 0 && again.out.contains("unchanged"), "\(again.out)\(again.err)")
    }

    @Test func aLostStoreIsRecoveredWithFleetsAndFleetFlag() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI { $0.runtime = .simulated }
        defer { Task { await api.stop() } }
        let url = api.baseURL
        let manifest = try cli.write("fleet.yaml", "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 3\n  template: {image: x, command: [sleep, infinity]}\n")
        #expect(await cli.run("apply", "-f", manifest, "--fleet", "fleet-first").code == 0)
        #expect(await cli.run("reconcile", "--api-url", url, "--once", "--wait", "--timeout", "30s").code == 0)

        let lost = cli.directory.appendingPathComponent("second.db").path
        #expect(await cli.run(["apply", "-f", manifest, "--db", lost]).code == 0)
        let held = await cli.run(["plan", "--db", lost, "--api-url", url])
        #expect(held.code == 2 && held.out.contains("--fleet fleet-first"), "\(held.out)")
        _ = await cli.run(["reconcile", "--db", lost, "--api-url", url, "--once"])
        let fleets = await cli.run(["fleets", "--db", lost, "--api-url", url, "-o", "json"])
        let found = (try JSONSerialization.jsonObject(with: Data(fleets.out.utf8)) as? [[String: Any]]) ?? []
        #expect(found.count == 1 && found.first?["fleet"] as? String == "fleet-first" && found.first?["live_sandboxes"] as? Int == 3,
            "the second store created nothing: \(fleets.out) \(fleets.err)")
        #expect(await cli.run("fleets", "--api-url", url).out.contains("fleet-first (this store)"))

        let recovered = cli.directory.appendingPathComponent("third.db").path
        #expect(await cli.run(["apply", "-f", manifest, "--db", recovered, "--fleet", "fleet-first"]).code == 0)
        #expect(await cli.run(["plan", "--db", recovered, "--api-url", url]).code == 0, "claiming the old id: in sync at once")
    }

    @Test func planReconcileStatusEventsExecLogsAndGC() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI {
            $0.runtime = .process
            $0.terminationGracePeriod = .milliseconds(300)
        }
        let url = api.baseURL
        let manifest = try cli.write("fleet.yaml", """
            apiVersion: porter-fleet/v1
            kind: Sandbox
            name: echo
            spec:
              image: debian:12
              command: ["sh", "-c", "echo hello from $PORTER_SANDBOX_NAME; exec sleep 600"]
              env: {GREETING: hi}
            ---
            apiVersion: porter-fleet/v1
            kind: Sandbox
            name: extra
            spec:
              image: debian:12
              command: ["sleep", "600"]
            """)
        #expect(await cli.run("apply", "-f", manifest).code == 0)

        let pending = await cli.run("plan", "--api-url", url)
        #expect(pending.code == 2 && pending.out.contains("create sandbox echo-g1: the first generation"))
        let planJSON = await cli.run("plan", "--api-url", url, "-o", "json")
        #expect(planJSON.out.contains("\"in_sync\" : false"))
        let details = (try JSONSerialization.jsonObject(with: Data(planJSON.out.utf8)) as? [String: Any])?["action_details"] as? [[String: Any]]
        let echo = details?.first { $0["logical_name"] as? String == "echo" }
        #expect(echo?["kind"] as? String == "create_sandbox" && echo?["generation"] as? Int == 1 && echo?["actual_name"] as? String == "echo-g1")
        #expect(echo?["reason"] as? String == "the first generation")

        let reconciled = await cli.run("reconcile", "--api-url", url, "--once", "--wait", "--timeout", "30s")
        #expect(reconciled.code == 0, "\(reconciled.err)")
        #expect(reconciled.out.contains("converged after"))
        #expect(await cli.run("plan", "--api-url", url).code == 0)

        let status = await cli.run("status", "-o", "json")
        let object = try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any]
        #expect(object?["synced"] as? Int == 2 && (object?["health"] as? [String: Int])?["Healthy"] == 2)
        #expect(await cli.run("status").out.contains("echo-g1"))
        #expect(await cli.run("status", "--api-url", url).out.contains("pending actions: none (in sync)"))
        #expect(await cli.run("get", "sandbox", "echo").out.contains("echo"))

        let exec = await cli.run("exec", "--api-url", url, "echo", "--", "sh", "-c", "echo $GREETING; exit 3")
        #expect(exec.code == 3 && exec.out == "hi\n")
        #expect(await cli.run("exec", "--api-url", url, "ghost", "--", "true").code == 1)
        try await Task.sleep(for: .milliseconds(200))
        let logs = await cli.run("logs", "--api-url", url, "echo")
        #expect(logs.out.contains("hello from echo-g1"))
        #expect(logs.out.contains("] hi"), "exec output is marked with its exec id")

        let events = await cli.run("events", "-o", "json")
        let list = try JSONSerialization.jsonObject(with: Data(events.out.utf8)) as? [[String: Any]]
        #expect(list?.contains { $0["reason"] as? String == "Created" && $0["name"] as? String == "echo" } == true)
        #expect(await cli.run("events", "--since", "1h").out.contains("Created"))

        #expect(await cli.run("delete", "sandbox", "extra").code == 0)
        #expect(await cli.run("status", "--api-url", url).out.contains("  terminate sandbox extra-g1: no longer desired"))
        let dry = await cli.run("gc", "--api-url", url, "--dry-run")
        #expect(dry.out == "terminate sandbox extra-g1: no longer desired (dry run)\n")
        let gc = await cli.run("gc", "--api-url", url)
        #expect(gc.code == 0 && gc.out == "terminate sandbox extra-g1\n")
        #expect(await cli.run("gc", "--api-url", url).out == "nothing to collect\n")
        #expect(await cli.run("reconcile", "--api-url", url).code == 64, "--once is required")
        await api.stop()
    }
}

@Suite("events --follow")
struct EventsFollowTests {
    @Test func newEventsArePrintedAsTheyHappen() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let store = try SQLiteFleetStore(path: cli.database, create: false)
        var first = ReconcilerChanges()
        first.events = [FleetEvent(kind: .sandbox, name: "a", type: .normal, reason: .created, message: "before following", at: Date())]
        try await store.commit(first, now: Date())
        let captured = CapturedOutput()
        let database = cli.database
        let follower = Task { await PorterFleetCommand.execute(["events", "--db", database, "--follow"], output: captured.output) }
        try await Task.sleep(for: .milliseconds(500))
        var later = ReconcilerChanges()
        later.events = [FleetEvent(kind: .sandbox, name: "a", type: .warning, reason: .failed, message: "while following", at: Date())]
        try await store.commit(later, now: Date())
        let deadline = Date().addingTimeInterval(10)
        while !captured.standardOutput.contains("while following"), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        follower.cancel()
        _ = await follower.value
        let lines = captured.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("LAST SEEN") == true)
        #expect(lines.filter { $0.contains("before following") }.count == 1, "old events are printed once")
        #expect(lines.contains { $0.contains("Failed") && $0.contains("while following") })
    }
}

/// One writer: a CLI pass takes the fleet lease, so it never acts while a daemon does.
@Suite("The lease from the CLI")
struct CommandLeaseTests {
    @Test func aPassWhileAnotherControllerHoldsTheLeaseFailsFastNamingIt() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let store = try SQLiteFleetStore(path: cli.database, create: false)
        let daemon = try #require(try store.acquireLease(holder: "build-7:4242", duration: 60, now: Date()))
        for command in [["reconcile", "--once"], ["gc"]] {
            let refused = await cli.run(command + ["--db", cli.database, "--api-url", api.baseURL])
            #expect(refused.code == 1 && refused.err.contains("the fleet lease is held by build-7:4242"), "\(command): \(refused.err)")
            #expect(refused.err.hasSuffix("\n") && refused.err.contains("--wait-for-lease"))
        }
        let porter = try Porter(baseURL: api.baseURL, environment: [:])
        defer { Task { try? await porter.shutdown() } }
        #expect(try await porter.sandboxes.list().sandboxes.isEmpty, "nothing was created by the refused pass")

        try store.releaseLease(holder: "build-7:4242", token: daemon.token)
        _ = try #require(try store.acquireLease(holder: "build-7:4242", duration: 1, now: Date()))
        let waited = await cli.run("reconcile", "--once", "--wait-for-lease", "--api-url", api.baseURL)
        #expect(waited.code == 0 && waited.err.contains("waiting for the fleet lease, held by build-7:4242"), "\(waited.err)")
        #expect(try await porter.sandboxes.list().sandboxes.map(\.name) == ["a-g1"])
        #expect(try await store.leaseHolder() == nil, "the command gave the lease up")
        await api.stop()
    }
}

/// `plan` names the fields behind a replacement, terraform style, in text and in JSON.
@Suite("Field changes in plan")
struct PlanFieldChangeTests {
    @Test func aChangedTemplateIsShownFieldByField() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let url = api.baseURL
        let set = { (image: String, extra: String) in
            "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\ntags: {team: ml}\nspec:\n  replicas: 2\n  template: {image: \(image), command: [sleep, infinity]\(extra)}\n"
        }
        let manifest = try cli.write("set.yaml", set("busybox", ""))
        #expect(await cli.run("apply", "-f", manifest).code == 0)
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", url).code == 0)
        try set("busybox:1.36", ", ttl_seconds: 600").write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(await cli.run("apply", "-f", manifest).code == 0)
        let plan = await cli.run("plan", "--api-url", url)
        #expect(plan.code == 2)
        #expect(plan.out.contains("create sandbox w-0-g2: replace drifted generation 1\n    ~ spec.template.image: \"busybox\" → \"busybox:1.36\"\n    + spec.template.ttl_seconds: 600\n"), "\(plan.out)")
        let json = await cli.run("plan", "--api-url", url, "-o", "json")
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        let details = object?["action_details"] as? [[String: Any]] ?? []
        let changes = details.first?["changes"] as? [[String: Any]] ?? []
        #expect(changes.count == 2 && changes.first?["path"] as? String == "spec.template.image" && changes.first?["old"] as? String == "\"busybox\""
            && changes.first?["new"] as? String == "\"busybox:1.36\"", "\(json.out)")
        await api.stop()
    }
}

/// The prune guard from the CLI: a desired state that would prune most of the fleet is not carried out,
/// `plan` says so and exits 2, `reconcile --wait` does not report converged, `--allow-prune` prunes.
@Suite("The prune guard from the CLI")
struct PruneGuardCommandTests {
    @Test func mostOfAFleetIsNotPrunedByAccident() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let url = api.baseURL
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 6\n  template: {image: x, command: [sleep, infinity]}\n"
        let volume = "apiVersion: porter-fleet/v1\nkind: Volume\nname: data\nspec: {}\n"
        let manifest = try cli.write("fleet.yaml", set + "---\n" + volume)
        #expect(await cli.run("apply", "-f", manifest).code == 0)
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", url).code == 0)
        // The set's manifest is lost: only the volume is left desired.
        try volume.write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect(await cli.run("apply", "--prune", "-f", manifest).code == 0)
        let plan = await cli.run("plan", "--api-url", url)
        #expect(plan.code == 2, "not in sync: terminations are held")
        #expect(plan.out.contains("waiting: 6 of the fleet's 6 live sandboxes are no longer desired"), "\(plan.out)")
        #expect(!plan.out.contains("in sync"))
        let held = await cli.run("reconcile", "--once", "--wait", "--timeout", "2s", "--api-url", url)
        #expect(held.code == 1 && held.out.contains("not converged"), "\(held.out)")
        let porter = try Porter(baseURL: url, environment: [:])
        defer { Task { try? await porter.shutdown() } }
        #expect(try await porter.sandboxes.list(phases: [.running]).sandboxes.count == 6, "nothing was terminated")
        #expect(await cli.run("reconcile", "--once", "--allow-prune", "--api-url", url).code == 0)
        #expect(try await porter.sandboxes.list(phases: [.running]).sandboxes.isEmpty, "--allow-prune prunes")
        #expect(await cli.run("plan", "--api-url", url).code == 0)
        await api.stop()
    }
}

/// `get` shows what the reconciler recorded: sync, health, phase and generation per resource.
@Suite("get with observed status")
struct GetObservedStatusTests {
    @Test func theObservedColumnsFillInOnceTheReconcilerHasRun() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 2\n  template: {image: x, command: [sleep, infinity]}\n"
        let volume = "apiVersion: porter-fleet/v1\nkind: Volume\nname: data\nspec: {}\n"
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", sandboxManifest("api") + "\n---\n" + set + "---\n" + volume)).code == 0)
        let before = await cli.run("get", "-o", "json").out
        #expect(before.contains("\"sync\" : null"), "nothing observed before the first pass")
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", api.baseURL).code == 0)
        let table = await cli.run("get", "-o", "wide").out
        let rows = Dictionary(uniqueKeysWithValues: table.split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            return ("\(cells[0])/\(cells[1])", cells)
        })
        #expect(rows["Sandbox/api"]?.contains("Synced") == true && rows["Sandbox/api"]?.contains("Healthy") == true, "\(table)")
        #expect(rows["Sandbox/api"]?.contains("running") == true)
        #expect(rows["SandboxSet/w"]?.contains("Synced") == true && rows["SandboxSet/w"]?.contains("Healthy") == true, "\(table)")
        #expect(rows["Volume/data"]?.contains("Synced") == true, "\(table)")
        let json = try JSONSerialization.jsonObject(with: Data(await cli.run("get", "sandbox", "api", "-o", "json").out.utf8)) as? [String: Any]
        let status = ((json?["items"] as? [[String: Any]])?.first?["status"]) as? [String: Any]
        #expect(status?["sync"] as? String == "Synced" && status?["health"] as? String == "Healthy" && status?["generation"] as? Int == 1)
        #expect((status?["actual_name"] as? String)?.hasSuffix("api-g1") == true)
        await api.stop()
        // With the API gone, status still shows what was recorded, and says the pending actions are unknown.
        let offline = await cli.run("status", "--api-url", api.baseURL)
        #expect(offline.code == 0, "\(offline.err)")
        #expect(offline.out.contains("pending actions: unknown (cannot reach the Sandbox API at ") && offline.out.contains("api-g1"), "\(offline.out)")
    }
}

/// `events` names every object whole, shows a set's members as `SandboxSet/NAME[i]`, and filters.
@Suite("events objects and filters")
struct EventsObjectTests {
    @Test func membersAreNamedByTheirSetAndFiltersApply() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let long = String(repeating: "l", count: 40)
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 2\n  template: {image: x, command: [sleep, infinity]}\n"
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", sandboxManifest(long) + "\n---\n" + set)).code == 0)
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", api.baseURL).code == 0)
        let all = await cli.run("events").out
        #expect(all.contains("Sandbox/\(long) "), "whole names: \(all)")
        #expect(all.contains("SandboxSet/w[0]") && all.contains("SandboxSet/w[1]") && !all.contains("Sandbox/w-0"), "\(all)")
        #expect(all.contains("created generation 1 (\(long)-g1): the first generation"))
        let members = await cli.run("events", "--for", "SandboxSet/w").out.split(separator: "\n").dropFirst()
        #expect(!members.isEmpty && members.allSatisfy { $0.contains("SandboxSet/w[") })
        #expect(await cli.run("events", "--type", "warning").out.isEmpty, "no warnings in a clean run")
        #expect(await cli.run("events", "--type", "Loud").code == 64)
        let json = await cli.run("events", "--for", "sandboxset/w", "-o", "json").out
        #expect(json.contains("\"object\" : \"SandboxSet/w[1]\""), "\(json)")
        await api.stop()
    }

    /// `-o name` on status, events and plan: one `kind/name` a line, set members by their set, as
    /// `get -o name` and kubectl print them.
    @Test func readCommandsPrintObjectNames() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: w\nspec:\n  replicas: 2\n  template: {image: x, command: [sleep, infinity]}\n"
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", sandboxManifest("api") + "\n---\n" + set)).code == 0)
        let plan = await cli.run("plan", "--api-url", api.baseURL, "-o", "name")
        #expect(plan.code == 2 && plan.out == "sandbox/api\nsandboxset/w[0]\nsandboxset/w[1]\n", "\(plan.out)")
        #expect(await cli.run("reconcile", "--once", "--wait", "--timeout", "30s", "--api-url", api.baseURL).code == 0)
        let status = await cli.run("status", "-o", "name")
        #expect(Set(status.out.split(separator: "\n")) == ["sandbox/api", "sandboxset/w[0]", "sandboxset/w[1]"], "\(status.out)")
        let events = await cli.run("events", "--for", "SandboxSet/w", "-o", "name")
        #expect(!events.out.isEmpty && events.out.split(separator: "\n").allSatisfy { $0.hasPrefix("sandboxset/w[") }, "\(events.out)")
        let inSync = await cli.run("plan", "--api-url", api.baseURL, "-o", "name")
        #expect(inSync.code == 0 && inSync.out.isEmpty)
        await api.stop()
    }
}

/// `status` and `plan` give one answer to "is it in sync", and a change the prune guard will hold is said
/// at once by the command that made it.
@Suite("One answer to in sync")
struct InSyncAnswerTests {
    @Test func statusAgreesWithPlanAndScaleSaysTheGuardHolds() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI { $0.runtime = .simulated }
        defer { Task { await api.stop() } }
        let url = api.baseURL
        let set = try cli.write("set.yaml", "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: agent\nspec:\n  replicas: 6\n  template: {image: x, command: [sleep, infinity]}\n")
        #expect(await cli.run("apply", "-f", set).code == 0)
        let reconciled = await cli.run("reconcile", "--api-url", url, "--once", "--wait", "--timeout", "90s")
        #expect(reconciled.code == 0, "\(reconciled.out) \(reconciled.err)")
        #expect(await cli.run("status", "--api-url", url).out.contains("pending actions: none (in sync)"))
        try await Task.sleep(for: .milliseconds(1_100))
        func transitions(_ arguments: [String], key: String) async throws -> [String] {
            let object = try JSONSerialization.jsonObject(with: Data(await cli.run(arguments).out.utf8)) as? [String: Any]
            return ((object?[key] as? [[String: Any]]) ?? []).compactMap { $0["last_transition_at"] as? String }.sorted()
        }
        let recorded = try await transitions(["status", "--db", cli.database, "-o", "json"], key: "items")
        let planned = try await transitions(["plan", "--db", cli.database, "--api-url", url, "-o", "json"], key: "statuses")
        #expect(recorded.count == 6 && planned == recorded, "a plan reports the recorded transitions, not its own time")

        let scaled = await cli.run("scale", "set", "agent", "--replicas", "1")
        #expect(scaled.code == 0 && scaled.err.contains("prune guard holds"), "\(scaled.out) \(scaled.err)")
        _ = await cli.run("reconcile", "--api-url", url, "--once")  // the pass that finds the terminations held
        let plan = await cli.run("plan", "--api-url", url)
        #expect(plan.code == 2, "the held terminations keep the fleet out of sync")
        let status = await cli.run("status", "--api-url", url)
        #expect(!status.out.contains("(in sync)") && status.out.contains("not in sync") && status.out.contains("held"), "\(status.out)")
        let json = try JSONSerialization.jsonObject(with: Data(await cli.run("status", "--api-url", url, "-o", "json").out.utf8)) as? [String: Any]
        #expect(json?["in_sync"] as? Bool == false && (json?["waiting_on"] as? [String])?.isEmpty == false)
    }
}
