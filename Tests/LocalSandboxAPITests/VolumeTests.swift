import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

@Suite("Local API: volumes and their files")
struct VolumeTests {
    @Test func volumeLifecycleAndAttachment() async throws {
        try await withLocalAPI { api in
            let porter = api.porter
            let volume = try await porter.volumes.create(name: "data")
            #expect(volume.phase == .pending && volume.type == .disk && volume.path == "sandbox-vol-\(volume.id)")
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await volume.refresh().phase == .ready)
            let duplicate = await #expect(throws: PorterError.self) { try await porter.volumes.create(name: "data") }
            #expect(duplicate?.kind == .conflict)
            let badName = await #expect(throws: PorterError.self) { try await porter.volumes.create(name: "Data_1") }
            #expect(badName?.statusCode == 400)

            let sandbox = try await porter.sandboxes.create(image: "busybox", name: "user", volumeMounts: ["/mnt/data": volume.id])
            #expect(try await porter.volumes.get(name: "data").attachedTo == [sandbox.id])
            #expect(try await sandbox.refresh().volumeMounts?.additionalProperties == ["/mnt/data": volume.id])
            let busy = await #expect(throws: PorterError.self) { try await porter.volumes.delete(name: "data") }
            #expect(busy?.kind == .conflict && busy?.message.contains("user") == true)

            try await sandbox.terminate()
            let checked0 = try await porter.volumes.get(name: "data").attachedTo == []
            #expect(checked0, "terminal sandboxes do not hold volumes")
            try await porter.volumes.delete(name: "data")
            #expect(try await porter.volumes.list().isEmpty)
            let reused = try await porter.volumes.create(name: "data")
            #expect(reused.id != volume.id, "a deleted volume's name can be used again")
        }
    }

    @Test func objectVolumes() async throws {
        try await withLocalAPI { api in
            let missing = await #expect(throws: PorterError.self) { try await api.porter.volumes.create(name: "b", type: .object) }
            #expect(missing?.statusCode == 400)
            let volume = try await api.porter.volumes.create(name: "bucket", type: .object, object: .init(bucket: "my-bucket", access: .readOnly))
            #expect(volume.type == .object && volume.path == "" && volume.object?.bucket == "my-bucket")
            let files = await #expect(throws: PorterError.self) { try await volume.listFiles() }
            #expect(files?.statusCode == 400 && files?.message.contains("disk volumes only") == true)
        }
    }

    @Test func writeReadListMove() async throws {
        try await withLocalAPI { api in
            let volume = try await api.porter.volumes.create(name: "files")
            try await volume.writeFile(path: "/a/b/hello.txt", data: Data("hello world".utf8))
            try await volume.writeFile(path: "top.bin", data: Data([0, 1, 2, 3]))
            try await volume.writeFile(path: "/empty", data: Data())
            try await volume.writeFile(path: "/a/b/hello.txt", data: Data("HELLO".utf8))

            let whole = try await volume.readFile(path: "a/b/hello.txt")
            #expect(whole.data == Data("HELLO".utf8) && whole.contentRange == nil && whole.lastModified != nil)
            let part = try await volume.readFile(path: "/a/b/hello.txt", range: .closed(start: 1, end: 3))
            #expect(part.data == Data("ELL".utf8) && part.contentRange == ContentRange(start: 1, end: 3, size: 5))
            #expect(try await volume.readFile(path: "/a/b/hello.txt", range: .from(3)).data == Data("LO".utf8))
            #expect(try await volume.readFile(path: "/a/b/hello.txt", range: .suffix(2)).data == Data("LO".utf8))
            #expect(try await volume.readFile(path: "/a/b/hello.txt", range: .closed(start: 2, end: 99)).contentRange?.end == 4)
            let (rawStatus, rawBody, rawHeaders) = try await api.raw(
                "GET", "/v1/volume/\(volume.id)/files/content?path=%2Fa%2Fb%2Fhello.txt", headers: ["Range": "bytes=1-3"])
            #expect(rawStatus == 206 && rawBody == Data("ELL".utf8))
            #expect(rawHeaders["content-range"] == "bytes 1-3/5", "headers are sent as written, not percent-encoded")
            #expect(rawHeaders["last-modified"].flatMap(HTTPDate.parse) != nil)
            let empty = try await volume.readFile(path: "/empty", range: .closed(start: 0, end: 99))
            #expect(empty.data.isEmpty && empty.contentRange == nil, "an empty file is 200 with no Content-Range")
            let past = await #expect(throws: PorterError.self) { try await volume.readFile(path: "/top.bin", range: .from(10)) }
            #expect(past?.statusCode == 416)
            let missing = await #expect(throws: PorterError.self) { try await volume.readFile(path: "/nope") }
            #expect(missing?.kind == .notFound)
            let directory = await #expect(throws: PorterError.self) { try await volume.readFile(path: "/a") }
            #expect(directory?.statusCode == 400)

            var streamed = Data()
            for try await chunk in volume.stream(path: "/a/b/hello.txt", chunkSize: 2) { streamed.append(chunk) }
            #expect(streamed == Data("HELLO".utf8))

            let listing = try await volume.listFiles()
            #expect(listing.path == "/" && !listing.truncated)
            #expect(listing.entries.map(\.name) == ["a", "empty", "top.bin"], "directories first, then files, by name")
            #expect(listing.entries[0].entries?.first?.entries?.first?.name == "hello.txt")
            #expect(listing.entries[2].sizeBytes == 4 && listing.entries[2].modifiedAt != nil)
            let sub = try await volume.listFiles(path: "/a/b/")
            #expect(sub.path == "/a/b" && sub.entries.map(\.name) == ["hello.txt"])
            let search = try await volume.listFiles(search: "HELLO")
            #expect(search.entries.map(\.name) == ["a"] && search.entries[0].entries?.first?.entries?.map(\.name) == ["hello.txt"])
            #expect(try await volume.walk().map(\.path) == ["/a", "/a/b", "/a/b/hello.txt", "/empty", "/top.bin"])

            try await volume.moveFile(from: "/a/b", to: "/c")
            #expect(try await volume.readFile(path: "/c/hello.txt").data == Data("HELLO".utf8))
            let occupied = await #expect(throws: PorterError.self) { try await volume.moveFile(from: "/top.bin", to: "/empty") }
            #expect(occupied?.kind == .conflict)
            let checked1 = try await volume.readFile(path: "/top.bin").data == Data([0, 1, 2, 3])
            #expect(checked1, "a refused move leaves the entry in place")
            let noParent = await #expect(throws: PorterError.self) { try await volume.moveFile(from: "/top.bin", to: "/x/y") }
            #expect(noParent?.kind == .notFound)
            let root = await #expect(throws: PorterError.self) { try await volume.moveFile(from: "/", to: "/z") }
            #expect(root?.statusCode == 400)
            let missingSource = await #expect(throws: PorterError.self) { try await volume.moveFile(from: "/ghost", to: "/z") }
            #expect(missingSource?.kind == .notFound)
        }
    }

    @Test func listingTruncatesAtTheBudget() async throws {
        try await withLocalAPI({ $0.fileListBudget = 5 }) { api in
            let volume = try await api.porter.volumes.create(name: "many")
            for index in 0..<4 { try await volume.writeFile(path: "/d\(index)/f.txt", data: Data("x".utf8)) }
            try await volume.writeFile(path: "/d0/g.txt", data: Data("y".utf8))
            let listing = try await volume.listFiles()
            #expect(listing.truncated)
            #expect(listing.entries.count == 4)
            #expect(listing.entries.contains { $0.truncated == true && $0.entries == nil }, "unread directories carry truncated and no entries")
            let walked = try await volume.walk()
            #expect(walked.filter(\.isFile).count == 5, "walk re-lists truncated directories")
        }
    }

    @Test func pathsCannotEscapeTheVolume() async throws {
        try await withLocalAPI { api in
            let volume = try await api.porter.volumes.create(name: "jail")
            try await volume.writeFile(path: "/inside.txt", data: Data("ok".utf8))
            let volumeDirectory = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            try FileManager.default.createSymbolicLink(atPath: volumeDirectory.appendingPathComponent("out").path, withDestinationPath: "/etc")
            try FileManager.default.createSymbolicLink(atPath: volumeDirectory.appendingPathComponent("in").path, withDestinationPath: "inside.txt")
            for target in [
                "/v1/volume/\(volume.id)/files/content?path=..%2F..%2Flocal-api.sqlite",
                "/v1/volume/\(volume.id)/files/content?path=%2Fout%2Fpasswd",
                "/v1/volume/\(volume.id)/files?path=%2Fout",
                "/v1/volume/\(volume.id)/files?path=..",
            ] {
                let (status, body, _) = try await api.raw("GET", target)
                #expect(status == 400, "\(target)")
                #expect(errorMessage(body) != nil)
            }
            let (writeStatus, _, _) = try await api.raw(
                "PUT", "/v1/volume/\(volume.id)/files/content?path=%2Fout%2Fevil", body: Data("x".utf8),
                headers: ["Content-Type": "application/octet-stream"])
            #expect(writeStatus == 400)
            #expect(!FileManager.default.fileExists(atPath: "/etc/evil"))
            let inside = await #expect(throws: PorterError.self, "links are never followed, even inside the volume") {
                try await volume.readFile(path: "/in")
            }
            #expect(inside?.statusCode == 400)
        }
    }

    @Test func uploadsAreAtomicChunkedAndLimited() async throws {
        try await withLocalAPI({ $0.maxUploadBytes = 10_000 }) { api in
            let volume = try await api.porter.volumes.create(name: "up")
            try await volume.writeFile(path: "/f", data: Data("original".utf8))
            let big = Data(repeating: 1, count: 20_000)
            let (status, body, _) = try await api.raw(
                "PUT", "/v1/volume/\(volume.id)/files/content?path=%2Ff", body: big, chunked: true,
                headers: ["Content-Type": "application/octet-stream"])
            #expect(status == 413 && errorMessage(body)?.contains("10000") == true)
            let checked3 = try await volume.readFile(path: "/f").data == Data("original".utf8)
            #expect(checked3, "a failed upload leaves the previous content")
            let chunked = Data((0..<9_000).map { UInt8($0 % 251) })
            let (okStatus, _, _) = try await api.raw(
                "PUT", "/v1/volume/\(volume.id)/files/content?path=%2Fnested%2Fchunked.bin", body: chunked, chunked: true,
                headers: ["Content-Type": "application/octet-stream"])
            #expect(okStatus == 204)
            #expect(try await volume.readFile(path: "/nested/chunked.bin").data == chunked)
            let staging = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/.staging")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []).isEmpty, "no staged leftovers")
        }
    }
}
