import FleetModel
import Foundation
import PorterSandbox

/// What the reconciler remembers of a logical sandbox between passes: generations, the last outcome
/// and crash-loop backoff (docs/reconcile-rules.md, rule 6).
public struct LogicalHistory: Sendable, Equatable {
    /// The highest generation ever created (or seen).
    public var lastGeneration: Int = 0
    /// Consecutive generations of one spec that ended early (see ``recordEnd(_:startedAt:finishedAt:policy:supersededByLive:)``).
    public var failureCount: Int = 0
    /// No new generation of ``failingSpecHash`` before this.
    public var backoffUntil: Date?
    /// The spec hash the failures belong to: a backoff holds back that spec only, so fixing the spec
    /// lifts it at once.
    public var failingSpecHash: String?
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
        /// The spec hash it was created with.
        public var specHash: String?

        /// Creates an outcome.
        public init(generation: Int, phase: SandboxPhase, reason: TerminationReason? = nil, exitCode: Int? = nil, specHash: String? = nil) {
            self.generation = generation
            self.phase = phase
            self.reason = reason
            self.exitCode = exitCode
            self.specHash = specHash
        }

        /// Whether this ending completes the run under `policy`: `never` takes any end as final,
        /// `on_failure` a success or a deliberate termination, `always` nothing.
        public func completes(under policy: RestartPolicy) -> Bool {
            switch policy {
            case .always: return false
            case .never: return true
            case .onFailure:
                switch phase {
                case .succeeded: return true
                case .terminated: return !(reason == .backendLost || reason == .launchFailed)
                default: return false
                }
            }
        }

        /// Whether this ending says something about the workload's health. A TTL that ran out (the
        /// sandbox is rotated), a backend that lost the sandbox (the server stopped, a node went), and a
        /// termination someone asked for are not the workload failing: the logical sandbox is replaced at
        /// once and its crash-loop count is left as it was.
        public var isWorkloadFailure: Bool {
            switch reason {
            case .ttlExpired, .backendLost, .dashboard, .cli, .sdk, .userTerminated: false
            case .workloadExited, .launchFailed, nil: true
            }
        }
    }

    /// Creates a history.
    public init(lastGeneration: Int = 0, failureCount: Int = 0, backoffUntil: Date? = nil, lastOutcome: Outcome? = nil, failingSpecHash: String? = nil) {
        self.lastGeneration = lastGeneration
        self.failureCount = failureCount
        self.backoffUntil = backoffUntil
        self.lastOutcome = lastOutcome
        self.failingSpecHash = failingSpecHash ?? (failureCount > 0 ? lastOutcome?.specHash : nil)
    }

    /// Whether the backoff holds back a new generation of `specHash` at `now`.
    public func holdsBack(_ specHash: String, at now: Date) -> Bool {
        guard let backoffUntil, backoffUntil > now else { return false }
        return failingSpecHash == nil || failingSpecHash == specHash
    }

    /// The first backoff, its ceiling, and how long a generation must run cleanly to reset it.
    public static let initialBackoff: TimeInterval = 10
    /// The longest backoff.
    public static let maximumBackoff: TimeInterval = 300
    /// Running this long clears the failure count; dying sooner counts as a failure.
    public static let cleanRunning: TimeInterval = 600

    /// The backoff after `failures` consecutive failures: none after the first (a sandbox that dies
    /// once is replaced at once), then 10 s doubling up to 5 min.
    public static func backoff(afterFailures failures: Int) -> TimeInterval {
        guard failures > 1 else { return 0 }
        return min(maximumBackoff, initialBackoff * pow(2, Double(min(failures - 2, 20))))
    }

    /// Records that a generation ended. It counts as a failure unless its restart policy says the run is
    /// complete, it had run ten minutes cleanly, it was superseded (a newer generation of the same logical
    /// sandbox is live: porter-fleet replaced it; or its logical name was no longer desired: an orphan), or
    /// its ending was not the workload's doing (``Outcome/isWorkloadFailure``: TTL expiry, a lost backend,
    /// a deliberate termination). Failures of a new spec start a new count.
    public mutating func recordEnd(_ outcome: Outcome, startedAt: Date?, finishedAt: Date, policy: RestartPolicy, supersededByLive: Bool) {
        lastGeneration = max(lastGeneration, outcome.generation)
        if outcome.generation >= (lastOutcome?.generation ?? 0) { lastOutcome = outcome }
        guard !supersededByLive, !outcome.completes(under: policy) else { return }
        let ranFor = startedAt.map { finishedAt.timeIntervalSince($0) } ?? 0
        let otherSpec = failingSpecHash != nil && failingSpecHash != outcome.specHash
        if ranFor >= Self.cleanRunning || otherSpec {
            failureCount = 0
            backoffUntil = nil
        }
        guard ranFor < Self.cleanRunning, outcome.isWorkloadFailure else { return }
        failingSpecHash = outcome.specHash
        failureCount += 1
        let pause = Self.backoff(afterFailures: failureCount)
        backoffUntil = pause > 0 ? finishedAt.addingTimeInterval(pause) : nil
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
