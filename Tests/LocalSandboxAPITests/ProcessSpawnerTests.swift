import Foundation
import Testing

@testable import LocalSandboxAPI

/// Children started for sandboxes die with the server, not with the thread that happened to start them.
@Suite("Local API: the process spawner")
struct ProcessSpawnerTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv (util-linux)"))
    func aChildOutlivesTheShortLivedThreadThatAskedForIt() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--pdeathsig", "KILL", "--", "sleep", "30"]
        let box = SendableProcess(process: process)
        // A thread that asks for the child and ends at once, as idle pool threads do after a while.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                continuation.resume(with: Result { try ProcessSpawner.shared.runWaiting(box.process) })
            }
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning, "the parent-death signal follows the spawner's thread, which lives on")
        process.terminate()
    }

    private struct SendableProcess: @unchecked Sendable { let process: Process }
}
