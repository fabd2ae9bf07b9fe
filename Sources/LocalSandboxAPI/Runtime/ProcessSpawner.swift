import Foundation
import Synchronization

/// Starts the sandboxes' host processes from one thread that lives as long as the server.
///
/// bubblewrap's `--die-with-parent` and `setpriv --pdeathsig` use `PR_SET_PDEATHSIG`, which fires when
/// the *thread* that started the child ends, not the process. Swift's concurrency pool on Linux ends idle
/// threads after a few seconds, so a sandbox started from one of them could be killed at a random later
/// moment with the server alive and well. Started from this thread, a sandbox dies with the server only.
final class ProcessSpawner: Sendable {
    /// The spawner every runtime of this process shares.
    static let shared = ProcessSpawner()

    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let pending = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in serve() }
        thread.name = "porter-fleet-process-spawner"
        thread.start()
    }

    /// The thread's life: each job as it comes.
    private func serve() -> Never {
        while true {
            pending.wait()
            let job = jobs.withLock { $0.removeFirst() }
            job()
        }
    }

    /// Runs `process` (`Process.run()`) on the spawner's thread.
    func run(_ process: Process) async throws {
        let box = UncheckedProcess(process: process)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            jobs.withLock {
                $0.append {
                    do {
                        try box.process.run()
                        continuation.resume()
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
            }
            pending.signal()
        }
    }

    /// Runs `process` on the spawner's thread, blocking the calling thread until it has started.
    func runWaiting(_ process: Process) throws {
        let box = UncheckedProcess(process: process)
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        jobs.withLock {
            $0.append {
                outcome.withLock { $0 = Result { try box.process.run() } }
                done.signal()
            }
        }
        pending.signal()
        done.wait()
        try outcome.withLock { $0 }?.get()
    }

    /// A `Process` handed to the spawner's thread; it is used there only until `run()` returns.
    private struct UncheckedProcess: @unchecked Sendable {
        let process: Process
    }
}
