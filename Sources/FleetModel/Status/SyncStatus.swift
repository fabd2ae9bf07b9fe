/// Whether a logical sandbox runs what is desired, as Argo CD words it.
public enum SyncStatus: String, Sendable, Codable, CaseIterable {
    /// A live (or, for finished runs, the last) generation matches the desired spec.
    case synced = "Synced"
    /// Something must still be created or replaced.
    case outOfSync = "OutOfSync"
}
