import Foundation
import Logging

/// How the controller acts.
public struct ControllerOptions: Sendable {
    /// Flow control of the API calls: an adaptive concurrency limit up to a ceiling (64), and an optional
    /// hard cap on calls a second (none).
    public var flow = FlowControl.Options()
    /// Replacements in flight at most (nil: 25% of the desired sandboxes, at least 1).
    public var maxSurge: Int?
    /// Terminate sandboxes no longer desired even when they are most of the fleet (lifts the
    /// ``PruneGuard`` for this run).
    public var allowPrune = false
    /// A pass that observes exactly what the last settled pass observed reuses its plan
    /// (``SettledObservation``); at least this often a pass plans in full all the same, in seconds.
    public var fullPassInterval: TimeInterval = 300
    /// Where the controller logs each action as it is recorded (successes at info, failures at warning);
    /// nowhere unless set (the daemon and the commands set theirs).
    public var logger = Logger(label: "porter-fleet.controller", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The defaults of docs/reconcile-rules.md, "Executor".
    public init() {}
}
