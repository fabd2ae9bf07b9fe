import Foundation
import Testing
@testable import PorterSandbox

@Suite("Requests on the wire: paths, queries, headers, bodies")
struct RequestEncodingTests {
    static let emptyList = #"{"sandboxes":[],"pagination":{"current_page":1,"total_pages":0,"has_next_page":false}}"#

    @Test func listEncodesRepeatedTagsPhasesAndSpaces() async throws {
        try await withScriptedAPI(replies: [.json(200, Self.emptyList)]) { porter, server in
            _ = try await porter.sandboxes.list(
                tags: ["team": "ml", "porter-fleet/fleet": "a=b"],
                phases: [.queued, .running],
                search: "my api",
                image: "python:3.12-slim",
                startTime: "2026-08-01T00:00:00Z",
                includeFilterValues: true,
                page: 2
            )
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.path == "/v1/sandbox")
            #expect(
                request.query
                    == "start_time=2026-08-01T00%3A00%3A00Z&search=my%20api&tag=porter-fleet%2Ffleet%3Da%3Db&tag=team%3Dml&phase=queued&phase=running&image=python%3A3.12-slim&include_filter_values=true&page=2"
            )
        }
    }

    @Test func parametersLeftOutWhenNil() async throws {
        try await withScriptedAPI(replies: [.json(200, Self.emptyList)]) { porter, server in
            _ = try await porter.sandboxes.list()
            #expect(server.requests.first?.target == "/v1/sandbox")
        }
    }

    @Test func basePathPrefixIsKept() async throws {
        let prefix = "/api/v2/alpha/projects/7/clusters/42"
        try await withScriptedAPI(baseURLSuffix: prefix + "/", replies: [.json(200, #"{"id":"sb-9"}"#)]) { porter, server in
            let id = try await porter.sandboxes.lookup(name: "api-g1")
            #expect(id == "sb-9")
            #expect(server.requests.first?.target == prefix + "/v1/sandbox/lookup?name=api-g1")
        }
    }

    @Test func headersWithoutKey() async throws {
        try await withScriptedAPI(replies: [.json(200, minimalStatusJSON)]) { porter, server in
            _ = try await porter.sandboxes.get(id: "sb-1")
            let request = try #require(server.requests.first)
            #expect(request.header("Authorization") == nil)
            #expect(request.header("User-Agent") == "porter-sandbox-swift/\(PorterSandboxVersion.current)")
            #expect(request.header("Accept") == "application/json")
            #expect(request.header("Content-Type") == nil)
        }
    }

    @Test func headersWithKeyAndJSONBody() async throws {
        try await withScriptedAPI(apiKey: "secret-token", replies: [.json(201, #"{"id":"sb-1","name":"api-g1"}"#)]) { porter, server in
            let sandbox = try await porter.sandboxes.create(
                image: "python:3.12-slim",
                name: "api-g1",
                tags: ["porter-fleet/fleet": "default"],
                command: ["sleep", "infinity"],
                env: ["A": "1"],
                volumeMounts: ["/mnt/data": "vol-1"],
                networking: [.init(port: 8080, _internal: true)],
                egress: .init(allowedDestinations: []),
                resources: .init(cpu: "500m", memory: "512Mi"),
                ttlSeconds: 60
            )
            #expect(sandbox.id == "sb-1")
            #expect(sandbox.name == "api-g1")
            #expect(sandbox.phase == nil)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/v1/sandbox/run")
            #expect(request.header("Authorization") == "Bearer secret-token")
            #expect(request.header("Content-Type") == "application/json; charset=utf-8")
            let json = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            #expect(Set(json.keys) == ["image", "name", "tags", "command", "env", "volume_mounts", "networking", "egress", "resources", "ttl_seconds"])
            #expect((json["egress"] as? [String: Any])?["allowed_destinations"] as? [String] == [])
            #expect((json["volume_mounts"] as? [String: String]) == ["/mnt/data": "vol-1"])
            #expect(json["ttl_seconds"] as? Int == 60)
            #expect(((json["networking"] as? [[String: Any]])?.first?["port"]) as? Int == 8080)
        }
    }

    @Test func fileTransfersUseOctetStreamAndRange() async throws {
        try await withScriptedAPI({ request, _ in
            if request.method == "PUT" { return .empty(204) }
            return ScriptedReply(status: 206, headers: [("Content-Range", "bytes 2-4/10"), ("Content-Type", "application/octet-stream")], body: Data("cde".utf8))
        }) { porter, server in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            try await volume.writeFile(path: "dir/a.txt/", data: Data("hello".utf8))
            let content = try await volume.readFile(path: "/dir/a.txt", range: .closed(start: 2, end: 4))
            #expect(content.data == Data("cde".utf8))
            #expect(content.contentRange == ContentRange(start: 2, end: 4, size: 10))
            let (write, read) = (server.requests[0], server.requests[1])
            #expect(write.method == "PUT")
            #expect(write.target == "/v1/volume/vol-1/files/content?path=%2Fdir%2Fa.txt")
            #expect(write.header("Content-Type") == "application/octet-stream")
            #expect(write.body == Data("hello".utf8))
            #expect(read.header("Accept") == "application/octet-stream")
            #expect(read.header("Range") == "bytes=2-4")
        }
    }

    @Test func deleteSandboxSendsSourceOnlyWhenGiven() async throws {
        try await withScriptedAPI(replies: [.empty(204)]) { porter, server in
            let sandbox = Sandbox(id: "sb-1", name: nil, client: porter.raw)
            try await sandbox.terminate()
            try await sandbox.terminate(source: .cli)
            #expect(server.requests.map(\.target) == ["/v1/sandbox/sb-1", "/v1/sandbox/sb-1?source=cli"])
            #expect(server.requests.allSatisfy { $0.method == "DELETE" })
        }
    }

    @Test(arguments: [
        ("a/b/", "/a/b"), ("", "/"), ("/", "/"), ("//x//", "/x"), ("/checkpoints", "/checkpoints"),
    ])
    func volumePathsAreNormalised(_ input: String, _ expected: String) {
        #expect(Volume.normalize(input) == expected)
    }
}

extension JSONDecoder {
    /// A decoder for wire JSON as the generated client decodes it.
    static var api: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try RFC3339DateTranscoder().decode(text)
        }
        return decoder
    }
}
