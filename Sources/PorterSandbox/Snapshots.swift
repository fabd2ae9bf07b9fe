import OpenAPIRuntime

/// The snapshot operations of the API (`porter.snapshots`).
public struct Snapshots: Sendable {
    /// The generated client these calls go through.
    public let raw: Client

    init(client: Client) { self.raw = client }

    /// Captures a running sandbox (`POST /v1/sandbox/{id}/snapshot`); `mode` defaults to `filesystem`.
    public func create(sandboxID: String, mode: SnapshotMode? = nil) async throws -> Snapshot {
        try await PorterCall.perform {
            try await raw.createSnapshot(path: .init(id: sandboxID), body: .json(.init(mode: mode))).successful.body.json
        }
    }

    /// Snapshots, newest first, optionally of one sandbox (`GET /v1/snapshot`).
    public func list(sandboxID: String? = nil) async throws -> [Snapshot] {
        try await PorterCall.perform { try await raw.listSnapshots(query: .init(sandboxId: sandboxID)).ok.body.json.snapshots }
    }

    /// One snapshot with its capture status (`GET /v1/snapshot/{id}`).
    public func get(id: String) async throws -> Snapshot {
        try await PorterCall.perform { try await raw.getSnapshot(path: .init(id: id)).ok.body.json }
    }

    /// Deletes a snapshot and everything it captured (`DELETE /v1/snapshot/{id}`).
    public func delete(id: String) async throws {
        _ = try await PorterCall.perform { try await raw.deleteSnapshot(path: .init(id: id)).successful }
    }
}
