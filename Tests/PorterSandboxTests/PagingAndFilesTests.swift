import Foundation
import Testing
@testable import PorterSandbox

@Suite("Pagination, streams and tree walks")
struct PagingAndFilesTests {
    static func page(_ number: Int, of total: Int, ids: [String]) -> ScriptedReply {
        let items = ids.map { minimalStatusJSON.replacingOccurrences(of: "\"sb-1\"", with: "\"\($0)\"") }.joined(separator: ",")
        return .json(200, #"{"sandboxes":[\#(items)],"pagination":{"current_page":\#(number),"total_pages":\#(total),"has_next_page":\#(number < total)}}"#)
    }

    @Test func allFollowsEveryPage() async throws {
        try await withScriptedAPI({ request, _ in
            switch request.query {
            case "tag=porter-fleet%2Ffleet%3Ddefault&phase=running&page=1": Self.page(1, of: 3, ids: ["a", "b"])
            case "tag=porter-fleet%2Ffleet%3Ddefault&phase=running&page=2": Self.page(2, of: 3, ids: ["c"])
            case "tag=porter-fleet%2Ffleet%3Ddefault&phase=running&page=3": Self.page(3, of: 3, ids: ["d"])
            default: .error(400, "unexpected query \(request.query)")
            }
        }) { porter, server in
            var ids: [String] = []
            for try await sandbox in porter.sandboxes.all(tags: ["porter-fleet/fleet": "default"], phases: [.running]) {
                ids.append(sandbox.id)
                #expect(sandbox.phase == .running)
            }
            #expect(ids == ["a", "b", "c", "d"])
            #expect(server.requests.count == 3)
        }
    }

    @Test func allStopsOnAnEmptyPageAndIsLazy() async throws {
        try await withScriptedAPI(replies: [Self.page(1, of: 5, ids: [])]) { porter, server in
            var count = 0
            for try await _ in porter.sandboxes.all() { count += 1 }
            #expect(count == 0)
            #expect(server.requests.count == 1)
            _ = porter.sandboxes.all()
            #expect(server.requests.count == 1, "a sequence fetches nothing until iterated")
        }
    }

    @Test func streamReadsRangedChunksToTheEnd() async throws {
        let file = Data((0..<10).map { UInt8($0) })
        try await withScriptedAPI({ request, _ in
            let header = request.header("Range") ?? ""
            let bounds = header.dropFirst("bytes=".count).split(separator: "-").compactMap { Int($0) }
            let start = bounds[0]
            let end = min(bounds[1], file.count - 1)
            return ScriptedReply(
                status: 206,
                headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "bytes \(start)-\(end)/\(file.count)")],
                body: file.subdata(in: start..<(end + 1))
            )
        }) { porter, server in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            var chunks: [Data] = []
            for try await chunk in volume.stream(path: "f", chunkSize: 4) { chunks.append(chunk) }
            #expect(chunks.map(\.count) == [4, 4, 2])
            #expect(chunks.reduce(Data(), +) == file)
            #expect(server.requests.map { $0.header("Range") } == ["bytes=0-3", "bytes=4-7", "bytes=8-11"])
        }
    }

    @Test func streamOfAnEmptyFileStopsAtTheFirstAnswer() async throws {
        try await withScriptedAPI(replies: [ScriptedReply(status: 200, headers: [("Content-Type", "application/octet-stream")])]) { porter, server in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            var chunks = 0
            for try await _ in volume.stream(path: "empty") { chunks += 1 }
            #expect(chunks == 0)
            #expect(server.requests.count == 1)
        }
    }

    @Test func badContentRangeIsAnInvalidResponse() async throws {
        try await withScriptedAPI(replies: [ScriptedReply(status: 206, headers: [("Content-Range", "bytes */10")], body: Data("x".utf8))]) { porter, _ in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            let error = await #expect(throws: PorterError.self) { try await volume.readFile(path: "f", range: .from(0)) }
            #expect(error?.kind == .invalidResponse)
        }
    }

    @Test func walkRelistsTruncatedDirectories() async throws {
        try await withScriptedAPI({ request, _ in
            switch request.query {
            case "path=%2F":
                .json(200, #"{"path":"/","entries":[{"name":"a","type":"directory","size_bytes":0,"entries":[{"name":"x.txt","type":"file","size_bytes":1,"modified_at":"2026-08-01T12:00:00Z"}]},{"name":"big","type":"directory","size_bytes":0,"truncated":true},{"name":"r.txt","type":"file","size_bytes":2,"modified_at":"2026-08-01T12:00:00Z"}],"truncated":true}"#)
            case "path=%2Fbig":
                .json(200, #"{"path":"/big","entries":[{"name":"y.bin","type":"file","size_bytes":9,"modified_at":"2026-08-01T12:00:00Z"}],"truncated":false}"#)
            default:
                .error(404, "no such directory")
            }
        }) { porter, server in
            let volume = Volume(record: try JSONDecoder.api.decode(VolumeRecord.self, from: Data(minimalVolumeJSON.utf8)), client: porter.raw)
            let files = try await volume.walk()
            #expect(files.map(\.path) == ["/a", "/a/x.txt", "/big", "/r.txt", "/big/y.bin"])
            #expect(files.first { $0.path == "/big" }?.truncated == true)
            #expect(files.filter(\.isFile).map(\.sizeBytes) == [1, 2, 9])
            #expect(server.requests.count == 2)
        }
    }

    @Test(arguments: [
        ("bytes 0-9/10", ContentRange(start: 0, end: 9, size: 10)),
        ("bytes 5-5/6", ContentRange(start: 5, end: 5, size: 6)),
        ("bytes */10", nil), ("bytes 1-2", nil), ("items 0-1/2", nil), ("bytes -1-2/3", nil), ("bytes 0-1/2 ", nil),
    ] as [(String, ContentRange?)])
    func parsesContentRange(_ header: String, _ expected: ContentRange?) {
        #expect(ContentRange(headerValue: header) == expected)
    }

    @Test func byteRangeHeaders() {
        #expect(ByteRange.closed(start: 0, end: 8_388_607).headerValue == "bytes=0-8388607")
        #expect(ByteRange.from(100).headerValue == "bytes=100-")
        #expect(ByteRange.suffix(50).headerValue == "bytes=-50")
    }
}
