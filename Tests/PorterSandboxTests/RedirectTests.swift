import Foundation
import Testing
@testable import PorterSandbox

@Suite("Redirects (reference §1.7)")
struct RedirectTests {
    @Test(arguments: [301, 302, 303, 307, 308])
    func sameOriginKeepsMethodBodyAndAuthorization(_ status: Int) async throws {
        try await withScriptedAPI(apiKey: "k-123", { request, _ in
            request.path == "/v1/sandbox/run" ? .redirect(status, to: "/moved/run?x=1") : .json(201, #"{"id":"sb-1","name":"n"}"#)
        }) { porter, server in
            _ = try await porter.sandboxes.create(image: "busybox", name: "n")
            #expect(server.requests.count == 2)
            let (first, second) = (server.requests[0], server.requests[1])
            #expect(second.method == "POST")
            #expect(second.target == "/moved/run?x=1")
            #expect(second.body == first.body)
            #expect(second.header("Authorization") == "Bearer k-123")
        }
    }

    @Test func crossOriginDropsAuthorizationAndReplaysUpload() async throws {
        let upload = try await ScriptedServer.start(replies: [.empty(204)])
        defer { Task { await upload.stop() } }
        try await withScriptedAPI(apiKey: "k-123", replies: [.redirect(307, to: upload.baseURL + "/direct-upload?sig=abc")]) { porter, server in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            try await volume.writeFile(path: "/big.bin", data: Data(repeating: 7, count: 100_000))
            #expect(server.requests.first?.header("Authorization") == "Bearer k-123")
            let hop = try #require(upload.requests.first)
            #expect(hop.method == "PUT")
            #expect(hop.target == "/direct-upload?sig=abc")
            #expect(hop.header("Authorization") == nil)
            #expect(hop.body == Data(repeating: 7, count: 100_000))
        }
    }

    @Test func atMostFiveRedirects() async throws {
        try await withScriptedAPI({ _, index in .redirect(302, to: "/hop/\(index)") }) { porter, server in
            let error = await #expect(throws: PorterError.self) { try await porter.health() }
            #expect(error?.kind == .tooManyRedirects)
            #expect(server.requests.count == 6)
        }
    }

    @Test func fiveRedirectsAreFine() async throws {
        try await withScriptedAPI({ _, index in index < 5 ? .redirect(308, to: "/hop/\(index)") : .json(200, #"{"status":"ok"}"#) }) { porter, server in
            let health = try await porter.health()
            #expect(health.status == "ok")
            #expect(server.requests.last?.target == "/hop/4")
        }
    }
}
