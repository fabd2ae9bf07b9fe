import Foundation
import HTTPTypes
import Hummingbird
import PorterSandbox
import Testing
import WireFormats

@testable import LocalSandboxAPI

@Suite("Local API: pure parsing and rules")
struct ParsingTests {
    @Test func faultSpecs() throws {
        let spec = try FaultSpec(parsing: "5xx=0.1, 429=0.05,latency=20ms,drop=0.02,kill=0.5")
        #expect(spec == FaultSpec(serverErrorRate: 0.1, rateLimitRate: 0.05, maxLatency: .milliseconds(20), dropRate: 0.02, killRate: 0.5))
        #expect(try FaultSpec(parsing: "").isEmpty)
        for bad in ["5xx=2", "drop=-1", "latency=soon", "latency=2562048h", "latency=61s", "explode=1", "5xx", "kill=-3", "5xx=nan", "kill=inf"] {
            #expect(throws: FaultSpecError.self, "\(bad)") { try FaultSpec(parsing: bad) }
        }
    }

    @Test func faultDecisionsReplayFromTheSeed() {
        let spec = FaultSpec(serverErrorRate: 0.3, rateLimitRate: 0.2, maxLatency: .milliseconds(10), dropRate: 0.4)
        func run(seed: UInt64) -> [String] {
            let injector = FaultInjector(spec: spec, seed: seed)
            return (0..<200).map { index in
                let decision = injector.decide(isMutation: index % 2 == 0)
                return "\(decision.status ?? 0)/\(decision.drop)/\(decision.latency)"
            }
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
        let decisions = run(seed: 7)
        #expect(decisions.contains { $0.hasPrefix("503/") } && decisions.contains { $0.hasPrefix("429/") } && decisions.contains { $0.hasPrefix("0/") })
        let odd = decisions.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        #expect(odd.allSatisfy { $0.contains("/false/") }, "reads are never dropped")
    }

    @Test func rangeHeadersMapToStatuses() throws {
        #expect(try VolumeFileSystem.byteRange("bytes=2-4", size: 10) == RangeRequest(first: 2, last: 4))
        #expect(try VolumeFileSystem.byteRange(nil, size: 10) == nil)
        #expect(try VolumeFileSystem.byteRange("bytes=0-3", size: 0) == nil, "an empty file is always whole")
        for bad in ["bytes=10-", "bytes=5-2", "bytes=-0", "bytes=a-b", "bytes=-"] {
            let error = #expect(throws: LocalAPIError.self, "\(bad)") { try VolumeFileSystem.byteRange(bad, size: 10) }
            #expect(error?.status == .rangeNotSatisfiable)
        }
    }

    @Test(arguments: [
        ("api", true), ("a", true), ("agent-3", true), ("0abc", true), (String(repeating: "x", count: 63), true),
        ("", false), ("Api", false), ("-a", false), ("a-", false), ("a_b", false), ("a.b", false), (String(repeating: "x", count: 64), false),
    ])
    func dnsLabels(_ name: String, _ valid: Bool) {
        #expect(SandboxSpecValidation.isDNSLabel(name) == valid)
    }

    @Test(arguments: [
        ("/v1/sandbox?phase=SandboxesPhase.RUNNING&phase=queued", "/v1/sandbox?phase=running&phase=queued"),
        ("/v1/sandbox/x?source=SandboxesSource.CLI", "/v1/sandbox/x?source=cli"),
        ("/v1/sandbox?search=a+b&image=python%3A3.12", "/v1/sandbox?search=a%20b&image=python%3A3.12"),
        ("/v1/sandbox?image=python:3.12-slim", "/v1/sandbox?image=python:3.12-slim"),
        ("/v1/sandbox", "/v1/sandbox"),
    ])
    func wireCompatibilityRewrites(_ target: String, _ expected: String) {
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: target), body: .init(buffer: .init()))
        #expect(WireCompatibility.rewrite(request).head.path == expected)
    }

    @Test func paths() throws {
        #expect(try VolumeFileSystem.components(of: "/a//b/./c/") == ["a", "b", "c"])
        #expect(try VolumeFileSystem.components(of: "") == [])
        #expect(throws: LocalAPIError.self) { try VolumeFileSystem.components(of: "a/../../b") }
        #expect(throws: LocalAPIError.self) { try VolumeFileSystem.components(of: "a\0b") }
        #expect(try VolumeFileSystem.components(of: "/" + String(repeating: "n", count: 255)).count == 1)
        #expect(throws: LocalAPIError.self) { try VolumeFileSystem.components(of: "/" + String(repeating: "n", count: 256)) }
        #expect(throws: LocalAPIError.self) { try VolumeFileSystem.components(of: String(repeating: "/abc", count: 1100)) }
    }

    @Test func bubblewrapArgumentsBindVolumesUnderHostDirectories() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bwrap-\(UUID().uuidString)")
        func command(user: SandboxUser?) -> [String] {
            BubblewrapCommand(
                executable: "/usr/bin/bwrap", setpriv: "/usr/bin/setpriv", user: user, hostname: "api-g1",
                sandboxDirectory: root.appendingPathComponent("work").path, tmpDirectory: root.appendingPathComponent("tmp").path,
                mounts: ["/mnt/data": "/srv/volumes/1", "/new/top/level": "/srv/volumes/2"]
            ).arguments(for: ["sh", "-c", "true"])
        }
        func follows(_ pair: [String], in arguments: [String]) -> Bool {
            arguments.indices.dropLast(pair.count - 1).contains { Array(arguments[$0..<($0 + pair.count)]) == pair }
        }
        for arguments in [command(user: .nobody), command(user: nil)] {
            #expect(Array(arguments.suffix(4)) == ["--", "sh", "-c", "true"])
            #expect(follows(["--bind", "/srv/volumes/1", "/mnt/data"], in: arguments) && follows(["--bind", "/srv/volumes/2", "/new/top/level"], in: arguments))
            #expect(follows(["--perms", "0755", "--dir", "/new"], in: arguments) && follows(["--perms", "0755", "--dir", "/new/top"], in: arguments))
            #expect(follows(["--ro-bind", "/usr", "/usr"], in: arguments) && follows(["--dev", "/dev"], in: arguments) && follows(["--proc", "/proc"], in: arguments))
            #expect(follows(["--bind", root.appendingPathComponent("tmp").path, "/tmp"], in: arguments))
            #expect(follows(["--bind", root.appendingPathComponent("work").path, "/workspace"], in: arguments))
            #expect(follows(["--new-session", "--die-with-parent", "--hostname", "api-g1"], in: arguments) && follows(["--tmpfs", "/"], in: arguments))
            #expect(follows(["--unshare-user", "--disable-userns", "--cap-drop", "ALL"], in: arguments))
            #expect(follows(["--perms", "0755", "--dir", "/mnt"], in: arguments), "outside the system directories a mount point is made in the sandbox's root")
            #expect(!follows(["--ro-bind", "/mnt", "/mnt"], in: arguments) && !arguments.contains("/home") && !arguments.contains("/var"),
                "only the system directories of the host are bound")
        }
        let asRoot = command(user: .nobody)
        #expect(Array(asRoot.prefix(5)) == ["/usr/bin/bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"], "paths resolve as root")
        #expect(follows(["--", "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--no-new-privs", "--", "/usr/bin/bwrap"], in: asRoot))
        #expect(follows(["--uid", "65534", "--gid", "65534", "--dev-bind", "/", "/", "--chdir", "/workspace", "--"], in: asRoot), "then the user namespace, as nobody")
        let asUser = command(user: nil)
        #expect(Array(asUser.prefix(6)) == ["/usr/bin/setpriv", "--no-new-privs", "--", "/usr/bin/bwrap", "--unshare-all", "--share-net"])
    }

    @Test func timerQueueOrdersByDeadline() {
        var queue = TimerQueue()
        let now = Date()
        queue.schedule(.volumeReady(volumeID: "c"), at: now.addingTimeInterval(3))
        queue.schedule(.volumeReady(volumeID: "a"), at: now.addingTimeInterval(1))
        queue.schedule(.volumeReady(volumeID: "b"), at: now.addingTimeInterval(2))
        queue.schedule(.volumeReady(volumeID: "a2"), at: now.addingTimeInterval(1))
        #expect(queue.popDue(now: now) == [])
        #expect(queue.popDue(now: now.addingTimeInterval(2)) == [.volumeReady(volumeID: "a"), .volumeReady(volumeID: "a2"), .volumeReady(volumeID: "b")])
        #expect(queue.count == 1)
        #expect(queue.popDue(now: now.addingTimeInterval(9)) == [.volumeReady(volumeID: "c")])
    }
}
