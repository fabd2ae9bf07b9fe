/// An action a pass took, for `reconcile`, `up`, logs and metrics.
public struct ActionReport: Sendable, Equatable, CustomStringConvertible {
    /// What kind of action.
    public var kind: ActionKind
    /// What it was about (`create sandbox api-g2`).
    public var summary: String

    /// A report of `kind`.
    public init(_ kind: ActionKind, _ summary: String) {
        self.kind = kind
        self.summary = summary
    }

    /// The summary.
    public var description: String { summary }
}

/// An action that failed: which logical resource, which action, and the error, carried as a value from
/// the executor to the result, the events, the statuses and the metrics.
public struct ActionFailure: Sendable, Equatable, CustomStringConvertible {
    /// The logical sandbox or volume it was for; nil for what concerns the whole pass.
    public var logicalName: String?
    /// What kind of action.
    public var kind: ActionKind
    /// The action's summary (`create sandbox api-g1: the first generation`).
    public var summary: String
    /// What went wrong, and what happens next.
    public var error: ActionError

    /// A failure of `kind` for `logicalName`.
    public init(logicalName: String?, kind: ActionKind, summary: String, error: ActionError) {
        self.logicalName = logicalName
        self.kind = kind
        self.summary = summary
        self.error = error
    }

    /// A failure of `kind` for `logicalName` from any error, classified (``ActionError/init(_:mutating:)``).
    public init(logicalName: String?, kind: ActionKind, summary: String, failure: any Error) {
        self.init(logicalName: logicalName, kind: kind, summary: summary, error: ActionError(failure))
    }

    /// `summary: error`, as `reconcile` prints it.
    public var description: String { "\(summary): \(error)" }
}
