import Foundation
import Logging

/// How the controller acts.
public struct ControllerOptions: Sendable {
    /// Actions in flight at most.
    public var concurrency = 16
    /// API calls a second on average.
    public var queriesPerSecond = 20.0
    /// API calls in a burst.
    public var burst = 40
    /// Replacements in flight at most (nil: 25% of the desired sandboxes, at least 1).
    public var maxSurge: Int?
    /// Terminate sandboxes no longer desired even when they are most of the fleet (lifts the
    /// ``PruneGuard`` for this run).
    public var allowPrune = false
    /// Where the controller logs.
    public var logger = Logger(label: "porter-fleet.controller")

    /// The defaults of docs/reconcile-rules.md, "Executor".
    public init() {}
}
