import Foundation
import PorterSandbox
import Synchronization
import Testing

@testable import LocalSandboxAPI

/// What a sandbox can make the server hold or keep: exec output, lingering execs, log lines without an
/// end, directories too large or too deep.
@Suite("Local API: what a sandbox can make the server hold")
struct SandboxResourceTests {
    @Test func execOutputIsCappedAndTheRestDrained() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let sandbox = try await api.porter.sandboxes.create(image: "x", name: "loud", command: ["sleep", "600"])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let result = try await sandbox.exec(["sh", "-c", "head -c 17000000 /dev/zero | tr '\\0' a; echo done >&2"])
            #expect(result.stdout.utf8.count == ProcessRuntime.execOutputLimit, "\(result.stdout.utf8.count) bytes kept")
            #expect(result.stdout.utf8.allSatisfy { $0 == UInt8(ascii: "a") }, "the first 16 MiB, as written")
            #expect(result.stderr.contains("done") && result.stderr.contains("truncated"), "\(result.stderr.suffix(200))")
            #expect(result.exitCode == 0, "the writer was never blocked")
        }
    }

    /// Process sandboxes never outlive the server: the workspaces a killed server left are removed when
    /// it starts again.
    @Test func workspacesLeftByAKilledServerAreRemovedAtStart() async throws {
        let data = LocalAPIHarness.makeDataDirectory()
        let stale = URL(fileURLWithPath: data).appendingPathComponent("sandboxes/left-behind/work")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try Data(repeating: 1, count: 1 << 20).write(to: stale.appendingPathComponent("blob"))
        let api = try await LocalAPIHarness.start(dataDirectory: data) { $0.runtime = .process }
        defer { Task { await api.stopAndRemove() } }
        let workspace = stale.deletingLastPathComponent()
        let deadline = ContinuousClock.now + .seconds(10)
        while FileManager.default.fileExists(atPath: workspace.path), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!FileManager.default.fileExists(atPath: workspace.path))
    }

    @Test func anExecEndsWithItsSandbox() async throws {
        try await withLocalAPI({ $0.runtime = .process; $0.terminationGracePeriod = .milliseconds(300) }) { api in
            let sandbox = try await api.porter.sandboxes.create(image: "x", name: "stubborn", command: ["sleep", "600"])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let exec = Task { try await sandbox.exec(["sh", "-c", "trap '' TERM; sleep 120"]) }
            try await Task.sleep(for: .milliseconds(500))
            let started = ContinuousClock.now
            try await sandbox.terminate()
            _ = try? await exec.value
            #expect(ContinuousClock.now - started < .seconds(20), "the exec ended with the sandbox, not after its 120 s")
        }
    }

    @Test func outputWithoutNewlinesIsCutIntoBoundedLines() {
        let lines = Mutex<[Int]>([])
        let splitter = LineSplitter { line in lines.withLock { $0.append(line.utf8.count) } }
        let chunk = Data(repeating: 0x61, count: 4096)
        let started = ContinuousClock.now
        for _ in 0..<256 { splitter.feed(chunk) }  // 1 MiB, no newline
        splitter.feed(Data("tail\nnext".utf8))
        splitter.flush()
        #expect(ContinuousClock.now - started < .seconds(2), "linear in the output")
        let counts = lines.withLock { $0 }
        #expect(counts.prefix(16).allSatisfy { $0 == LineSplitter.maximumLineBytes } && counts.suffix(2) == [4, 4], "\(counts.count) lines")
    }

    @Test func aHugeDirectoryIsNotReadWholeForOneListing() async throws {
        let root = URL(fileURLWithPath: LocalAPIHarness.makeDataDirectory())
        defer { try? FileManager.default.removeItem(at: root) }
        for index in 0..<5_000 { _ = FileManager.default.createFile(atPath: root.appendingPathComponent("f\(index)").path, contents: nil) }
        var walk = FileTreeWalk(limits: .init(entries: 100, searchedEntries: 100, duration: .seconds(30)), searching: false)
        let entries = walk.entries(ofDirectory: open(root.path, O_RDONLY | O_DIRECTORY))
        #expect(entries.count == 100 && walk.stoppedEarly)
        #expect(walk.entriesRead <= 101, "read up to the budget, not 5,000 entries: \(walk.entriesRead)")
    }

    @Test func walksStopSixtyFourLevelsDown() async throws {
        try await withLocalAPI { api in
            let volume = try await api.porter.volumes.create(name: "deep")
            var deep = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            for _ in 0..<100 { deep.appendPathComponent("d") }
            try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
            let whole = try await volume.listFiles()
            #expect(whole.truncated, "walks stop 64 levels down, and say so (deeper answers were not encodable)")
        }
    }

    @Test(.enabled(if: HostTools.bubblewrapInstalled, "needs bubblewrap"))
    func aWorkspaceDeeperThanPathMaxIsRemoved() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let deep = "i=0; while [ $i -lt 2500 ]; do mkdir d && cd d && i=$((i+1)); done; touch deepest; sleep 600"
            let sandbox = try await api.porter.sandboxes.create(image: "x", name: "deep", command: ["sh", "-c", deep])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            try await Task.sleep(for: .seconds(2))
            let workspace = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("sandboxes/\(sandbox.id)")
            try await sandbox.terminate()
            let deadline = ContinuousClock.now + .seconds(20)
            while FileManager.default.fileExists(atPath: workspace.path), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!FileManager.default.fileExists(atPath: workspace.path), "a tree over PATH_MAX (2,500 levels × 2 bytes) is removed too")
        }
    }
}
