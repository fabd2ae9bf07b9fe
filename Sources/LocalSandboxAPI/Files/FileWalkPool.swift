import NIOPosix

/// The threads that walk volume trees for listings and searches: two of them, apart from Swift's
/// concurrency pool and the event loops, so that however many listings a sandbox provokes (each
/// bounded by ``FileTreeWalk/Limits``) they queue here while `/healthz` and every other request
/// keep answering.
enum FileWalkPool {
    /// The shared pool, started on first use and kept for the life of the process.
    static let shared: Runner = Runner(threads: 2)

    /// Runs blocking file-system work on a pool of its own.
    struct Runner: Sendable {
        private let pool: NIOThreadPool

        init(threads: Int) {
            pool = NIOThreadPool(numberOfThreads: threads)
            pool.start()
        }

        /// The result of `work`, run on one of the pool's threads.
        func run<Result: Sendable>(_ work: @escaping @Sendable () throws -> Result) async throws -> Result {
            try await pool.runIfActive(work)
        }
    }
}
