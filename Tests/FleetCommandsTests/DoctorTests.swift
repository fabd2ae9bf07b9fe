import Foundation
import LocalSandboxAPI
import Logging
import Testing

@Suite("porter-fleet doctor")
struct DoctorTests {
    @Test func reportsEachProblemWithItsFixAndPassesWhenAllIsWell() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let broken = await cli.run("doctor", "--api-url", "http://127.0.0.1:1")
        #expect(broken.code == 1)
        #expect(broken.out.contains("FAIL store: \(cli.database) does not exist"))
        #expect(broken.out.contains("fix: run 'porter-fleet apply -f MANIFESTS'"))
        #expect(broken.out.contains("FAIL sandbox api: http://127.0.0.1:1"))

        let api = try await cli.startLocalAPI { $0.token = "doctor-token" }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let unauthorised = await cli.run("doctor", "--api-url", api.baseURL)
        #expect(unauthorised.out.contains("ok   store:") && unauthorised.out.contains("rejected the credentials"))
        // The key by flag: set in this process's environment, it configured a backend for every other test
        // running meanwhile (`status --watch` then planned against the real Porter API until it gave up).
        let healthy = await cli.run("doctor", "--api-url", api.baseURL, "--api-key", "doctor-token", "-o", "json")
        let checks = (try JSONSerialization.jsonObject(with: Data(healthy.out.utf8)) as? [String: [[String: Any]]])?["checks"] ?? []
        #expect(checks.map { $0["name"] as? String } == ["store", "sandbox api", "isolation"])
        #expect(checks.prefix(2).allSatisfy { $0["ok"] as? Bool == true })
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") {
            let isolation = checks.last?["detail"] as? String ?? ""
            #expect(checks.last?["ok"] as? Bool == true && isolation.contains("no capabilities"), "doctor says which isolation is in force: \(isolation)")
        }
        #expect(!healthy.out.contains("doctor-token"), "the key is never printed")
        await api.stop()
    }
}
