/// How a logical sandbox is doing.
public enum HealthStatus: String, Sendable, Codable, CaseIterable {
    /// A matching generation is running.
    case healthy = "Healthy"
    /// A generation is on its way (queued, creating, or replacing an older one).
    case progressing = "Progressing"
    /// Something it needs failed: a replacement, an API call, a volume.
    case degraded = "Degraded"
    /// Crash-loop backoff holds the next generation back.
    case backoff = "Backoff"
    /// No generation is live and one is about to be created.
    case missing = "Missing"
    /// A run-once sandbox finished as its restart policy wants.
    case completed = "Completed"

    /// Healthy or completed: nothing more to wait for.
    public var isSettled: Bool { self == .healthy || self == .completed }
}
