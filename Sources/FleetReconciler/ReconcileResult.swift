import Foundation

/// The outcome of one reconcile pass.
public struct ReconcileResult: Sendable, Equatable {
    /// The plan the pass made.
    public var plan: Plan
    /// Actions that succeeded.
    public var succeeded: [ActionReport] = []
    /// Actions that failed, each with its logical name, kind and error.
    public var failed: [ActionFailure] = []
    /// Actions skipped while their resource backs off after API errors.
    public var deferred: [String] = []
    /// Whether every desired sandbox is synced and healthy or completed, with nothing left to do.
    public var converged: Bool
    /// When to look again at the latest (a backoff ends, a replacement may be running).
    public var requeueAfter: Duration?
    /// API calls made (observation included).
    public var apiCalls: Int
    /// Whether the pass wrote to the store (a no-op pass writes nothing).
    public var wroteStore = false
    /// Whether the pass observed exactly what the last settled pass did and reused its plan.
    public var reusedPlan = false
    /// Wall time spent observing and planning, executing, and recording, in seconds.
    public var timings = Timings()

    /// Where a pass spent its time.
    public struct Timings: Sendable, Equatable {
        /// Reading the store, listing the fleet, planning.
        public var observe: TimeInterval = 0
        /// Running the actions.
        public var execute: TimeInterval = 0
        /// Writing the outcome to the store.
        public var record: TimeInterval = 0
    }
}
