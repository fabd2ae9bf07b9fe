import FleetStore
import Foundation
import Logging

/// How far a pass's results are on record. A pass commits what its actions did while it runs (each
/// sandbox with its event and settled intent, in one transaction), logs each action as it is recorded,
/// and stops sending once the controller is asked to stop: a pass cut short — a shutdown, a lost lease,
/// a killed process — leaves every recorded action in the store and in the log, and at most the last
/// second's results for the next pass to settle from its intents.
struct PassProgress: Sendable {
    /// How often results are committed while actions run.
    static let recordEvery: Duration = .seconds(1)
    /// The most results held before they are committed.
    static let recordBatch = 500

    private var lastRecorded = ContinuousClock.now
    private var heldResults = 0
    private var loggedSucceeded = 0
    private var loggedFailed = 0
    /// Whether any part of the pass was committed before its end.
    private(set) var committedEarly = false

    /// Notes one more result; true when the held ones are due to be committed.
    mutating func noteResult() -> Bool {
        heldResults += 1
        return heldResults >= Self.recordBatch || ContinuousClock.now - lastRecorded >= Self.recordEvery
    }

    /// Notes a commit of the pass's changes so far.
    mutating func committed(early: Bool) {
        lastRecorded = .now
        heldResults = 0
        committedEarly = committedEarly || early
    }

    /// Logs the actions recorded since the last call: each success at info, each failure at warning.
    mutating func logRecorded(_ result: ReconcileResult, to logger: Logger) {
        for action in result.succeeded.dropFirst(loggedSucceeded) {
            logger.info("\(action.summary)", metadata: ["action": "\(action.kind.rawValue)"])
        }
        for failure in result.failed.dropFirst(loggedFailed) {
            logger.warning("\(failure.summary) failed", metadata: ["action": "\(failure.kind.rawValue)", "error": "\(failure.error)"])
        }
        loggedSucceeded = result.succeeded.count
        loggedFailed = result.failed.count
    }
}
