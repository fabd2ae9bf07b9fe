import Foundation
import PorterSandbox

/// What the reconciler remembers of a logical sandbox between passes: generations, the last outcome
/// and crash-loop backoff (docs/reconcile-rules.md, rule 6).
public struct LogicalHistory: Sendable, Equatable {
    /// The highest generation ever created (or seen).
    public var lastGeneration: Int = 0
    /// Consecutive failed or short-lived generations.
    public var failureCount: Int = 0
    /// No new generation before this.
    public var backoffUntil: Date?
    /// How the latest generation ended, when it has and nothing newer exists.
    public var lastOutcome: Outcome?

    /// How a generation ended.
    public struct Outcome: Sendable, Equatable {
        /// Its generation.
        public var generation: Int
        /// Its terminal phase.
        public var phase: SandboxPhase
        /// Why it ended.
        public var reason: TerminationReason?
        /// Its exit code.
        public var exitCode: Int?

        /// Creates an outcome.
        public init(generation: Int, phase: SandboxPhase, reason: TerminationReason? = nil, exitCode: Int? = nil) {
            self.generation = generation
            self.phase = phase
            self.reason = reason
            self.exitCode = exitCode
        }
    }

    /// Creates a history.
    public init(lastGeneration: Int = 0, failureCount: Int = 0, backoffUntil: Date? = nil, lastOutcome: Outcome? = nil) {
        self.lastGeneration = lastGeneration
        self.failureCount = failureCount
        self.backoffUntil = backoffUntil
        self.lastOutcome = lastOutcome
    }

    /// The first backoff, its ceiling, and how long a generation must run cleanly to reset it.
    public static let initialBackoff: TimeInterval = 10
    /// The longest backoff.
    public static let maximumBackoff: TimeInterval = 300
    /// Running this long clears the failure count; dying sooner counts as a failure.
    public static let cleanRunning: TimeInterval = 600

    /// The backoff after `failures` consecutive failures: 10 s doubling up to 5 min.
    public static func backoff(afterFailures failures: Int) -> TimeInterval {
        guard failures > 0 else { return 0 }
        return min(maximumBackoff, initialBackoff * pow(2, Double(min(failures - 1, 20))))
    }

    /// Records that a generation ended. A `failed` phase, or a `succeeded` one after less than ten
    /// minutes of running under `restart_policy: always`, counts as a failure and sets the backoff;
    /// terminations (by anyone, or by TTL) do not.
    public mutating func recordEnd(_ outcome: Outcome, startedAt: Date?, finishedAt: Date, restartAlways: Bool) {
        lastGeneration = max(lastGeneration, outcome.generation)
        if outcome.generation >= (lastOutcome?.generation ?? 0) { lastOutcome = outcome }
        let ranFor = startedAt.map { finishedAt.timeIntervalSince($0) } ?? 0
        let failed = outcome.phase == .failed || (outcome.phase == .succeeded && restartAlways && ranFor < Self.cleanRunning)
        guard failed else { return }
        failureCount += 1
        backoffUntil = finishedAt.addingTimeInterval(Self.backoff(afterFailures: failureCount))
    }

    /// Records a generation seen running: ten minutes of clean running clears the failure count.
    public mutating func recordRunning(generation: Int, startedAt: Date?, now: Date) {
        lastGeneration = max(lastGeneration, generation)
        if let startedAt, now.timeIntervalSince(startedAt) >= Self.cleanRunning, failureCount > 0 {
            failureCount = 0
            backoffUntil = nil
        }
    }
}
