import Foundation

/// Runs blocking work (waiting for a child process, reading its pipes to the end) on a thread of its own.
/// On two cores Swift's concurrency pool has two threads: a test that blocks them stalls every test
/// running beside it (a `status --watch` once waited more than 20 s for its first view).
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}
