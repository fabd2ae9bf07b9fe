import Foundation
import PorterSandbox
import Testing

@testable import LocalSandboxAPI

/// Requests an attacker would send: every answer is 2xx or 4xx, never a crash, a hang or a 500, and
/// the server stays healthy afterwards.
@Suite("Local API: hostile input")
struct HostileInputTests {
    /// The extremes of every numeric query parameter, and durations past `Int64.max` nanoseconds.
    @Test func numericQueryExtremesAnswer400OrData() async throws {
        try await withLocalAPI { api in
            let sandbox = try await api.porter.sandboxes.create(image: "i", name: "target")
            let id = sandbox.id
            let targets = [
                "/v1/sandbox?page=92233720368547760", "/v1/sandbox?page=9223372036854775807", "/v1/sandbox?page=-9223372036854775808",
                "/v1/sandbox?page=0", "/v1/sandbox?page=99999999999999999999", "/v1/sandbox?page=1e3",
                "/v1/sandbox/\(id)/logs?since=2562048h", "/v1/sandbox/\(id)/logs?since=9223372036854775807ns",
                "/v1/sandbox/\(id)/logs?since=9223372036854775808ns", "/v1/sandbox/\(id)/logs?since=99999999999999999999999h",
                "/v1/sandbox/\(id)/logs?since=1.9999999999999999999999h", "/v1/sandbox/\(id)/logs?limit=9223372036854775807",
                "/v1/sandbox/\(id)/logs?limit=-9223372036854775808", "/v1/sandbox/anything/logs?since=2562048h",
                "/v1/sandbox/\(id)/metrics/summary?since=2562048h", "/v1/sandbox/\(id)/metrics/summary?since=9223372036854775807ns",
            ]
            for target in targets {
                let (status, body, _) = try await api.raw("GET", target)
                #expect([200, 400, 404].contains(status), "\(target) answered \(status): \(String(decoding: body, as: UTF8.self))")
            }
            let (farPage, body, _) = try await api.raw("GET", "/v1/sandbox?page=92233720368547760")
            let page = try JSONSerialization.jsonObject(with: body) as? [String: Any]
            #expect(farPage == 200 && (page?["sandboxes"] as? [Any])?.isEmpty == true, "a page past the last is empty")
            let (tooLong, message, _) = try await api.raw("GET", "/v1/sandbox/\(id)/logs?since=2562048h")
            #expect(tooLong == 400 && errorMessage(message)?.contains("longest duration") == true)
            #expect(try await api.porter.health().status == "ok", "still serving")
        }
    }

    @Test func numericBodyExtremesAnswer400() async throws {
        try await withLocalAPI { api in
            for body in [
                #"{"image":"i","name":"t1","ttl_seconds":9223372036854775807}"#, #"{"image":"i","name":"t2","ttl_seconds":-9223372036854775808}"#,
                #"{"image":"i","name":"t3","ttl_seconds":0}"#, #"{"image":"i","name":"t4","networking":[{"port":9223372036854775807}]}"#,
                #"{"image":"i","name":"t5","ttl_seconds":1e300}"#, #"{"image":"i","name":"t6","ttl_seconds":99999999999999999999}"#,
            ] {
                let (status, response, _) = try await api.raw("POST", "/v1/sandbox/run", body: Data(body.utf8), headers: ["Content-Type": "application/json"])
                #expect(status == 400, "\(body) answered \(status): \(String(decoding: response, as: UTF8.self))")
            }
            let (status, _, _) = try await api.raw(
                "POST", "/v1/sandbox/run", body: Data(#"{"image":"i","name":"ok","ttl_seconds":315360000}"#.utf8),
                headers: ["Content-Type": "application/json"])
            #expect(status == 201, "ten years is the longest ttl")
        }
    }

    /// NUL bytes would be cut silently at exec (`A="x\0y"` would run as `A=x`).
    @Test func nulBytesAreRefused() async throws {
        try await withLocalAPI { api in
            let cases: [(String, SandboxSpecBuilder)] = [
                ("env value", { $0.env = .init(additionalProperties: ["A": "x\0y"]) }), ("command", { $0.command = ["sh\0", "-c"] }), ("args", { $0.args = ["a\0b"] }),
                ("tag value", { $0.tags = .init(additionalProperties: ["k": "v\0w"]) }),
                ("tag key", { $0.tags = .init(additionalProperties: ["k\0": "v"]) }),
            ]
            for (index, (what, build)) in cases.enumerated() {
                var spec = SandboxSpec(image: "i", name: "nul-\(index)")
                build(&spec)
                let error = await #expect(throws: PorterError.self, "\(what)") { try await api.porter.sandboxes.create(spec) }
                let named = error?.message.contains("NUL") == true || error?.message.contains("control character") == true
                #expect(error?.statusCode == 400 && named, "\(what): \(String(describing: error))")
            }
            let listed = try await api.porter.sandboxes.list()
            #expect(listed.sandboxes.isEmpty, "nothing was created")
            let sandbox = try await api.porter.sandboxes.create(image: "i", name: "exec-target")
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let exec = await #expect(throws: PorterError.self) { try await sandbox.exec(["echo", "a\0b"]) }
            #expect(exec?.statusCode == 400)
        }
    }

    @Test func tagsAreLimitedLikeKubernetesLabels() async throws {
        try await withLocalAPI { api in
            let refused: [[String: String]] = [
                [String(repeating: "k", count: 100_000): "v"], ["k": String(repeating: "v", count: 64)],
                Dictionary(uniqueKeysWithValues: (0..<20_000).map { ("k\($0)", "v") }), Dictionary(uniqueKeysWithValues: (0..<65).map { ("k\($0)", "v") }),
                ["-k": "v"], ["Bad_Prefix/k": "v"], ["/k": "v"], ["a/b/c": "v"], ["": "v"],
            ]
            for (index, tags) in refused.enumerated() {
                let error = await #expect(throws: PorterError.self, "case \(index)") {
                    try await api.porter.sandboxes.create(image: "i", name: "tags-\(index)", tags: tags)
                }
                #expect(error?.statusCode == 400, "case \(index): \(String(describing: error))")
            }
            let accepted: [String: String] = Dictionary(uniqueKeysWithValues: (0..<61).map { ("k\($0)", "v") })
                .merging(["porter-fleet/fleet": "default", "example.com/team": "a b=c", String(repeating: "k", count: 63): String(repeating: "v", count: 63)]) { a, _ in a }
            #expect(accepted.count == 64, "the most tags a sandbox may carry")
            _ = try await api.porter.sandboxes.create(image: "i", name: "tags-ok", tags: accepted)
        }
    }
}

/// Builds a variant of a create request.
typealias SandboxSpecBuilder = @Sendable (inout SandboxSpec) -> Void

/// What a sandbox can leave in its volume for the files API: FIFOs, device nodes, odd names.
@Suite("Local API: the files API under hostile volumes")
struct HostileVolumeTests {
    private func withVolume(_ body: (LocalAPIHarness, Volume, URL) async throws -> Void) async throws {
        try await withLocalAPI { api in
            let volume = try await api.porter.volumes.create(name: "hostile")
            try await volume.writeFile(path: "/ok.txt", data: Data("0123456789".utf8))
            let host = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            try await body(api, volume, host)
        }
    }

    @Test func fifosAreRefusedWithoutBlocking() async throws {
        try await withVolume { api, volume, host in
            #expect(mkfifo(host.appendingPathComponent("pipe").path, 0o666) == 0)
            let target = "/v1/volume/\(volume.id)/files/content?path=%2Fpipe"
            async let first = api.raw("GET", target)
            async let second = api.raw("GET", target, headers: ["Range": "bytes=0-10"])
            let (a, b) = try await (first, second)
            #expect(a.0 == 400 && errorMessage(a.1)?.contains("FIFO") == true, "\(String(decoding: a.1, as: UTF8.self))")
            #expect(b.0 == 400)
            #expect(try await api.porter.health().status == "ok")
        }
    }

    @Test(.enabled(if: geteuid() == 0, "making a device node needs root"))
    func deviceNodesAreRefused() async throws {
        try await withVolume { api, volume, host in
            #expect(mknod(host.appendingPathComponent("zero").path, S_IFCHR | 0o666, dev_t((1 << 8) | 5)) == 0)
            let (status, body, _) = try await api.raw("GET", "/v1/volume/\(volume.id)/files/content?path=%2Fzero", headers: ["Range": "bytes=0-"])
            #expect(status == 400 && errorMessage(body)?.contains("character device") == true)
        }
    }

    @Test func linksToSpecialFilesAreRefusedToo() async throws {
        try await withVolume { api, volume, host in
            #expect(mkfifo(host.appendingPathComponent("pipe").path, 0o666) == 0)
            try FileManager.default.createSymbolicLink(atPath: host.appendingPathComponent("to-pipe").path, withDestinationPath: "pipe")
            let (status, _, _) = try await api.raw("GET", "/v1/volume/\(volume.id)/files/content?path=%2Fto-pipe")
            #expect(status == 400)
            #expect(try await volume.readFile(path: "/ok.txt", range: .closed(start: 2, end: 4)).data == Data("234".utf8), "regular files still read, ranges too")
        }
    }

    @Test func oddPathsAnswer400() async throws {
        try await withVolume { api, volume, _ in
            let long = String(repeating: "n", count: 256)
            for target in [
                "/v1/volume/\(volume.id)/files/content?path=%FF", "/v1/volume/\(volume.id)/files/content?path=%2F%C3%28",
                "/v1/volume/\(volume.id)/files?path=%FF%FE", "/v1/volume/\(volume.id)/files/content?path=%2F\(long)",
                "/v1/volume/\(volume.id)/files/content?path=%2Fa%00b",
            ] {
                let (status, body, _) = try await api.raw("GET", target)
                #expect(status == 400, "\(target.prefix(80)) answered \(status): \(String(decoding: body, as: UTF8.self))")
            }
            let (write, _, _) = try await api.raw(
                "PUT", "/v1/volume/\(volume.id)/files/content?path=%2F\(long)", body: Data("x".utf8), headers: ["Content-Type": "application/octet-stream"])
            #expect(write == 400, "a name over 255 bytes")
        }
    }

    @Test func bigFilesStreamAndRangesStopAtTheEnd() async throws {
        try await withVolume { api, volume, host in
            let size = 3 * RegularFile.chunkSize + 123
            let data = Data((0..<size).map { UInt8($0 % 251) })
            try data.write(to: host.appendingPathComponent("big.bin"))
            #expect(try await volume.readFile(path: "/big.bin").data == data)
            let tail = try await volume.readFile(path: "/big.bin", range: .suffix(200))
            #expect(tail.data == data.suffix(200) && tail.contentRange?.size == Int64(size))
        }
    }
}

/// Connections that send nothing are closed, so they cannot be held forever.
@Suite("Local API: connection limits")
struct ConnectionLimitTests {
    @Test func idleConnectionsAreClosed() async throws {
        try await withLocalAPI({ $0.httpLimits.idleTimeout = .seconds(1) }) { api in
            let port = try #require(Int(api.baseURL.split(separator: ":").last ?? ""))
            let socket = try IdleSocket(port: port)
            let started = ContinuousClock.now
            #expect(socket.waitForClose(within: .seconds(10)), "the server closes an idle connection")
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await api.porter.health().status == "ok")
        }
    }
}

/// A TCP connection to 127.0.0.1 that never sends a byte.
final class IdleSocket {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessTimeout(message: "connect failed (errno \(errno))") }
    }

    deinit { close(descriptor) }

    /// Whether the peer closed the connection before `timeout`.
    func waitForClose(within timeout: Duration) -> Bool {
        var poll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000)
        guard Glibc.poll(&poll, 1, milliseconds) == 1 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) <= 0
    }
}
