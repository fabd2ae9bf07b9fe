import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

/// A sandbox that races the files API: it swaps a directory of its volume with a symbolic link to a
/// root-only host directory, as fast as it can, while a client uploads into that directory and moves
/// files out of it. Nothing may land outside the volume and nothing of the host may come in.
@Suite("Local API: the files API raced by a sandbox", .enabled(if: HostTools.bubblewrapInstalled, "needs bubblewrap (apt-get install bubblewrap)"))
struct FilesAPIRaceTests {
    /// Swaps `/mnt/data/d` and `/mnt/data/l` (a link to `victim`) with `renameat2(RENAME_EXCHANGE)` until
    /// `/mnt/data/stop` appears, then writes how many swaps it made to `/mnt/data/swaps`.
    static func swapper(victim: String) -> String {
        """
        import ctypes, os, time
        libc = ctypes.CDLL(None, use_errno=True)
        os.makedirs('/mnt/data/d', exist_ok=True)
        os.symlink('\(victim)', '/mnt/data/l')
        open('/mnt/data/ready', 'w').close()
        swaps = 0
        end = time.time() + 300
        while time.time() < end and not os.path.exists('/mnt/data/stop'):
            for _ in range(200):
                if libc.renameat2(-100, b'/mnt/data/d', -100, b'/mnt/data/l', 2) == 0:
                    swaps += 1
            time.sleep(0.001)  # a core for the rest of the suite
        open('/mnt/data/swaps.part', 'w').write(str(swaps))
        os.rename('/mnt/data/swaps.part', '/mnt/data/swaps')
        """
    }

    /// A root-only (0700) host directory holding a root-only (0600) file.
    private func makeVictim() throws -> URL {
        let victim = URL(fileURLWithPath: "/var/tmp/porter-fleet-victim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: victim, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try Data("host secret".utf8).write(to: victim.appendingPathComponent("secret"))
        chmod(victim.appendingPathComponent("secret").path, 0o600)
        return victim
    }

    @Test func aThousandUploadsAndMovesDuringSwapsLandNothingOutsideTheVolume() async throws {
        let victim = try makeVictim()
        defer { try? FileManager.default.removeItem(at: victim) }
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let volume = try await api.porter.volumes.create(name: "raced")
            let sandbox = try await api.porter.sandboxes.create(
                image: "debian:12", name: "racer", command: ["python3", "-c", Self.swapper(victim: victim.path)],
                volumeMounts: ["/mnt/data": volume.id])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let host = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            try await waitForFile(host.appendingPathComponent("ready"))

            let (uploaded, moved) = try await race(volume: volume, operations: 1000)
            try await volume.writeFile(path: "/stop", data: Data())
            try await waitForFile(host.appendingPathComponent("swaps"))
            let swaps = Int(String(decoding: try Data(contentsOf: host.appendingPathComponent("swaps")), as: UTF8.self)) ?? 0

            #expect(swaps > 1000, "the sandbox really raced (\(swaps) swaps)")
            let leaked = try FileManager.default.contentsOfDirectory(atPath: victim.path).filter { $0 != "secret" }
            #expect(leaked.isEmpty, "no upload landed in the host directory: \(leaked.prefix(5)) of \(leaked.count)")
            #expect(FileManager.default.fileExists(atPath: victim.appendingPathComponent("secret").path), "no move took the host file away")
            let stolen = try FileManager.default.contentsOfDirectory(atPath: host.path).filter { $0.hasPrefix("moved-") }
            #expect(stolen.isEmpty, "nothing of the host was moved into the volume: \(stolen.prefix(5))")
            #expect(uploaded > 0, "uploads into the real directory still succeed (\(uploaded) of 1000, \(moved) moves)")
        }
    }

    /// `operations` uploads into `/d` and as many moves of `/d/secret` out of it, eight at a time;
    /// each may fail (the path is a link at that moment), none may reach the host.
    private func race(volume: Volume, operations: Int) async throws -> (uploaded: Int, moved: Int) {
        try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var (uploaded, moved) = (0, 0)
                    for index in stride(from: worker, to: operations, by: 8) {
                        if (try? await volume.writeFile(path: "/d/x\(index)", data: Data("upload \(index)".utf8))) != nil { uploaded += 1 }
                        if (try? await volume.moveFile(from: "/d/secret", to: "/moved-\(index)")) != nil { moved += 1 }
                    }
                    return (uploaded, moved)
                }
            }
            return try await group.reduce(into: (0, 0)) { $0.0 += $1.0; $0.1 += $1.1 }
        }
    }

    private func waitForFile(_ url: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !FileManager.default.fileExists(atPath: url.path) {
            guard ContinuousClock.now < deadline else { throw HarnessTimeout(message: "\(url.lastPathComponent) never appeared") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Listings and searches never descend a link, stay bounded, and leave the server answering.
@Suite("Local API: listings of hostile trees")
struct HostileListingTests {
    @Test func aLinkToTheHostRootListsAsOneEntryAndIsNeverDescended() async throws {
        try await withLocalAPI { api in
            let volume = try await api.porter.volumes.create(name: "links")
            try await volume.writeFile(path: "/ok.txt", data: Data("ok".utf8))
            let host = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            try FileManager.default.createSymbolicLink(atPath: host.appendingPathComponent("rootlink").path, withDestinationPath: "/")
            let listing = try await volume.listFiles()
            #expect(listing.entries.map(\.name).sorted() == ["ok.txt", "rootlink"])
            let link = listing.entries.first { $0.name == "rootlink" }
            #expect(link?._type == .file && link?.entries == nil, "a link is an entry of its own, not a directory to walk")
            let search = try await volume.listFiles(search: "shadow")
            #expect(search.entries.isEmpty, "a search finds nothing of the host")
            for path in ["/rootlink", "/rootlink/etc"] {
                let (status, _, _) = try await api.raw("GET", "/v1/volume/\(volume.id)/files?path=\(path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
                #expect(status == 400, "listing \(path) through a link is refused")
            }
            let (read, _, _) = try await api.raw("GET", "/v1/volume/\(volume.id)/files/content?path=%2Frootlink%2Fetc%2Fhostname")
            #expect(read == 400)
            let (file, body, _) = try await api.raw("GET", "/v1/volume/\(volume.id)/files?path=%2Fok.txt")
            #expect(file == 400 && errorMessage(body)?.contains("is a file, not a directory") == true, "listing a file")
        }
    }

    @Test func searchesAreBoundedAndHealthKeepsAnswering() async throws {
        try await withLocalAPI({ $0.fileSearchBudget = 5_000 }) { api in
            let volume = try await api.porter.volumes.create(name: "wide")
            let host = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            for directory in 0..<40 {
                let folder = host.appendingPathComponent("d\(directory)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for file in 0..<250 { _ = FileManager.default.createFile(atPath: folder.appendingPathComponent("f\(file)").path, contents: nil) }
            }
            let searches = Task {
                try await withThrowingTaskGroup(of: VolumeFileListing.self) { group in
                    for _ in 0..<8 { group.addTask { try await volume.listFiles(search: "nomatch") } }
                    return try await group.reduce(into: [VolumeFileListing]()) { $0.append($1) }
                }
            }
            let started = ContinuousClock.now
            #expect(try await api.porter.health().status == "ok")
            let healthTook = ContinuousClock.now - started
            let results = try await searches.value
            #expect(healthTook < .seconds(2), "/healthz answered in \(healthTook) beside eight searches")
            #expect(results.allSatisfy { $0.truncated }, "a search of 10,040 entries stops at the 5,000-entry budget and says so")
        }
    }
}
