/// Per-call options that the ergonomic SDK passes down to the transport for the duration of one call.
enum PorterRequestOptions {
    /// A timeout chosen by the caller for the calls made in this task, overriding the defaults.
    @TaskLocal static var timeout: Duration?

    /// Operations that have no client timeout unless the caller gives one (reference §1.5).
    static let operationsWithoutDefaultTimeout: Set<String> = ["execSandbox", "readVolumeFile", "writeVolumeFile"]

    /// Operations that are never retried, whatever the outcome (reference §1.6).
    static let operationsNeverRetried: Set<String> = ["execSandbox"]

    /// The timeout for one call of `operationID`: the caller's, else the default, else none.
    static func effectiveTimeout(operationID: String, defaultTimeout: Duration) -> Duration? {
        if let timeout { return timeout }
        return operationsWithoutDefaultTimeout.contains(operationID) ? nil : defaultTimeout
    }
}
