import Foundation
import Testing

/// The extremes of every numeric and duration flag: each is a usage error naming the flag, never a
/// trap. (These run in-process, so a trap would take the whole test run down.)
@Suite("Bad input: flag extremes")
struct FlagExtremesTests {
    static let cases: [([String], String)] = [
        (["events", "--since", "9999999999999h"], "--since"),
        (["events", "--since", "99999999999999999999999999ns"], "--since"),
        (["events", "--since", "-1h"], "--since"),
        (["reconcile", "--once", "--wait", "--timeout", "99999999999999h"], "--timeout"),
        (["reconcile", "--once", "--wait", "--timeout", "366d"], "--timeout"),
        (["run", "--resync", "2562048h"], "--resync"),
        (["run", "--resync", "1ms"], "--resync"),
        (["run", "--lease", "9223372036854775807s"], "--lease"),
        (["run", "--lease", "0s"], "--lease"),
        (["plan", "--qps", "1e308"], "--qps"),
        (["plan", "--qps", "inf"], "--qps"),
        (["plan", "--qps", "nan"], "--qps"),
        (["plan", "--concurrency", "9223372036854775807"], "--concurrency"),
        (["plan", "--concurrency", "0"], "--concurrency"),
        (["plan", "--max-surge", "9223372036854775807"], "--max-surge"),
        (["plan", "--concurrency", "99999999999999999999"], "--concurrency"),
        (["scale", "set", "x", "--replicas", "9223372036854775807"], "--replicas"),
        (["scale", "set", "x", "--replicas", "-9223372036854775808"], "--replicas"),
        (["logs", "api", "--limit", "9223372036854775807"], "--limit"),
        (["logs", "api", "--since", "2562048h"], "--since"),
        (["exec", "api", "--timeout", "2562048h", "--", "true"], "--timeout"),
        (["local", "serve", "--grace-period", "9223372036854775807s"], "--grace-period"),
        (["local", "serve", "--simulated-start-delay", "2562048h"], "--simulated-start-delay"),
        (["local", "serve", "--sandbox-user", "0"], "--sandbox-user"),
        (["local", "serve", "--sandbox-user", "nobody"], "--sandbox-user"),
        (["local", "serve", "--sandbox-user", "4294967296"], "--sandbox-user"),
    ]

    @Test(arguments: cases)
    func usageErrorNamingTheFlag(_ arguments: [String], _ flag: String) async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let result = await cli.run(arguments)
        #expect(result.code == 64, "\(arguments) exits with a usage error: \(result.code)")
        #expect(result.err.contains(flag), "\(arguments): \(result.err)")
    }

    @Test func longestValuesAreAccepted() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        try cli.write("api.yaml", sandboxManifest("api"))
        #expect(await cli.run("apply", "-f", cli.directory.appendingPathComponent("api.yaml").path).code == 0)
        let events = await cli.run("events", "--since", "2562047h")
        #expect(events.code == 0, "\(events.err)")
        let days = await cli.run("events", "--since", "106751d")
        #expect(days.code == 0, "\(days.err)")
    }
}
