import Foundation
import LocalSandboxAPI
import Synchronization
import PorterSandbox
import Testing

@Suite("Local API: the process runtime end to end")
struct ProcessRuntimeTests {
    @Test func execSeesEnvAndTheVolumeAtItsMountPath() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let volume = try await api.porter.volumes.create(name: "shared")
            try await volume.writeFile(path: "/greeting.txt", data: Data("from the volume".utf8))
            let sandbox = try await api.porter.sandboxes.create(
                image: "debian:12", name: "worker", command: ["sh", "-c", "echo started; echo oops >&2; exec sleep 600"],
                env: ["APP_MODE": "test"], volumeMounts: ["/mnt/shared": volume.id])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let env = try await sandbox.exec(["sh", "-c", "echo $APP_MODE"])
            #expect(env.stdout == "test\n" && env.exitCode == 0)
            let failing = try await sandbox.exec(["sh", "-c", "echo bad >&2; exit 7"])
            #expect(failing.exitCode == 7 && failing.stderr == "bad\n")
            if HostTools.bubblewrapInstalled {
                let read = try await sandbox.exec(["cat", "/mnt/shared/greeting.txt"])
                #expect(read.stdout == "from the volume")
                let write = try await sandbox.exec(["sh", "-c", "echo written > /mnt/shared/out.txt && touch /etc/forbidden"])
                #expect(write.exitCode != 0 && write.stderr.contains("Read-only"))
                #expect(try await volume.readFile(path: "/out.txt").data == Data("written\n".utf8))
                #expect(!FileManager.default.fileExists(atPath: "/etc/forbidden"))
            }
            try await Task.sleep(for: .milliseconds(100))
            let logs = try await sandbox.logs()
            #expect(logs.contains { $0.line == "started" && $0.level == .info && $0.execId == "" })
            #expect(logs.contains { $0.line == "oops" && $0.level == .error && $0.execId == "" })
            #expect(logs.contains { $0.line == "test" && $0.execId == env.execId })
            #expect(logs.contains { $0.line == "bad" && $0.level == .error && $0.execId == failing.execId })
            #expect(try await sandbox.logs(limit: 1).count == 1)
            try await sandbox.terminate()
            #expect(try await sandbox.refresh().phase == .terminated)
            try await Task.sleep(for: .milliseconds(300))
            let checked0 = try await sandbox.logs().count == logs.count
            #expect(checked0, "logs remain after termination")
            try await volume.refresh()
            try await api.porter.volumes.delete(id: volume.id)
        }
    }

    @Test func longExecsDoNotStallTheServer() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let sandbox = try await api.porter.sandboxes.create(image: "debian:12", name: "busy", command: ["sleep", "600"])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let finished = ExecTracker()
            // Long enough that five listings answer first even on a loaded machine (beside the whole suite,
            // they once took longer than a 6 s exec).
            let execs = (0..<3).map { _ in
                Task {
                    let result = try await sandbox.exec(["sleep", "15"])
                    finished.markDone()
                    return result.exitCode
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            for _ in 0..<5 { _ = try await api.porter.sandboxes.list() }
            #expect(finished.count == 0, "other requests are answered while execs run")
            for exec in execs { #expect(try await exec.value == 0) }
            #expect(finished.count == 3)
        }
    }

    /// Output written right up to the exit is all returned: it used to be gathered by readability
    /// handlers that the exit cleared, so a chunk read by a handler still running when the process ended
    /// was dropped (most often the whole output of a short command such as `pwd`).
    @Test func execsReturnEveryByteTheirCommandWrote() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let sandbox = try await api.porter.sandboxes.create(image: "debian:12", name: "chatty", command: ["sleep", "600"])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let long = (1...4000).map { "\($0)\n" }.joined()
            let cases: [(command: String, stdout: String, stderr: String)] = [
                ("echo short", "short\n", ""), ("echo short >&2", "", "short\n"), ("seq 1 4000; seq 1 4000 >&2", long, long),
            ]
            for round in 0..<4 {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<12 {
                        let expected = cases[index % cases.count]
                        group.addTask {
                            let result = try await sandbox.exec(["sh", "-c", expected.command])
                            #expect(result.exitCode == 0)
                            #expect(result.stdout == expected.stdout, "round \(round): \(expected.command)")
                            #expect(result.stderr == expected.stderr, "round \(round): \(expected.command)")
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
    }

    @Test func missingIsolationIsStatedInReadiness() async throws {
        try await withLocalAPI({ $0.runtime = .process; $0.useBubblewrap = false }) { api in
            let readiness = try await api.porter.readiness()
            #expect(readiness.status.hasPrefix("ready (degraded isolation: bubblewrap is turned off"))
            let sandbox = try await api.porter.sandboxes.create(image: "debian:12", name: "plain", command: ["sleep", "600"])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let pwd = try await sandbox.exec(["pwd"])
            #expect(pwd.stdout.hasSuffix("/sandboxes/\(sandbox.id)/work\n"), "still its own working directory")
        }
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let readiness = try await api.porter.readiness()
            if HostTools.bubblewrapInstalled {
                #expect(readiness.status.hasPrefix("ready (isolation: bubblewrap: new user, mount, pid, ipc, uts and cgroup namespaces"))
            } else {
                #expect(readiness.status.contains("degraded isolation"))
            }
        }
    }

    @Test func exitCodesDecideThePhase() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let ok = try await api.porter.sandboxes.create(image: "debian:12", name: "ok", command: ["sh", "-c", "echo done"])
            let bad = try await api.porter.sandboxes.create(image: "debian:12", name: "bad", command: ["sh", "-c", "exit 3"])
            let nothing = try await api.porter.sandboxes.create(image: "debian:12", name: "no-command")
            let missing = try await api.porter.sandboxes.create(image: "debian:12", name: "missing", command: ["/no/such/program"])
            let okStatus = try await api.waitFor(ok) { $0.phase.isTerminal }
            let badStatus = try await api.waitFor(bad) { $0.phase.isTerminal }
            let nothingStatus = try await api.waitFor(nothing) { $0.phase.isTerminal }
            let missingStatus = try await api.waitFor(missing) { $0.phase.isTerminal }
            #expect(okStatus.phase == .succeeded && okStatus.exitCode == 0 && okStatus.terminationReason == .workloadExited)
            #expect(badStatus.phase == .failed && badStatus.exitCode == 3)
            #expect(nothingStatus.phase == .failed && nothingStatus.terminationReason == .launchFailed)
            #expect(missingStatus.phase == .failed && missingStatus.exitCode != 0)
            #expect(try await ok.logs().map(\.line) == ["done"])
            #expect(try await nothing.logs().first?.line.contains("needs a command") == true)
        }
    }

    @Test func ttlStopsTheProcess() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let sandbox = try await api.porter.sandboxes.create(image: "debian:12", name: "brief", command: ["sleep", "600"], ttlSeconds: 1)
            let status = try await api.waitFor(sandbox) { $0.phase.isTerminal }
            #expect(status.phase == .terminated && status.terminationReason == .ttlExpired)
        }
    }

    @Test func restartMarksLostProcessesAndKeepsVolumes() async throws {
        let data = LocalAPIHarness.makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try await LocalAPIHarness.start(dataDirectory: data) { $0.runtime = .process }
        let volume = try await first.porter.volumes.create(name: "keep")
        try await volume.writeFile(path: "/state.txt", data: Data("persisted".utf8))
        let live = try await first.porter.sandboxes.create(image: "debian:12", name: "live", command: ["sleep", "600"])
        _ = try await first.waitFor(live) { $0.phase == .running }
        let done = try await first.porter.sandboxes.create(image: "debian:12", name: "done", command: ["true"])
        _ = try await first.waitFor(done) { $0.phase.isTerminal }
        await first.stop()

        let second = try await LocalAPIHarness.start(dataDirectory: data) { $0.runtime = .process }
        let lost = try await second.porter.sandboxes.get(name: "live")
        #expect(lost.phase == .failed && lost.status?.terminationReason == .backendLost)
        #expect(try await second.porter.sandboxes.get(name: "done").phase == .succeeded)
        let kept = try await second.porter.volumes.get(name: "keep")
        #expect(kept.id == volume.id && kept.phase == .ready)
        #expect(try await kept.readFile(path: "/state.txt").data == Data("persisted".utf8))
        let reuse = await #expect(throws: PorterError.self) { try await second.porter.sandboxes.create(image: "i", name: "live") }
        #expect(reuse?.kind == .conflict, "names stay reserved across restarts")
        await second.stop()
    }

    @Test func simulatedSandboxesSurviveARestart() async throws {
        let data = LocalAPIHarness.makeDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let first = try await LocalAPIHarness.start(dataDirectory: data)
        let sandbox = try await first.porter.sandboxes.create(image: "i", name: "sim")
        _ = try await first.waitFor(sandbox) { $0.phase == .running }
        await first.stop()
        let second = try await LocalAPIHarness.start(dataDirectory: data)
        #expect(try await second.porter.sandboxes.get(name: "sim").phase == .running)
        await second.stop()
    }
}

/// Counts finished execs across tasks.
final class ExecTracker: Sendable {
    private let finished = Mutex(0)
    var count: Int { finished.withLock { $0 } }
    func markDone() { finished.withLock { $0 += 1 } }
}
