import FleetModel
import FleetStore
import Foundation
import GRDB

// The records of the store contract, as rows of the SQLite schema (see the migrations in
// SQLiteFleetStore): the table of each, and the Codable column mapping GRDB reads and writes.

extension DesiredResource: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "desired_resource"
}

extension ActualSandboxRecord: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "actual_sandbox"
}

extension LogicalSandboxStatus: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "logical_status"
}

extension CreateIntent: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "create_intent"
}

extension RecordedSpec: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "sandbox_spec"
}

extension OwnedVolume: FetchableRecord, PersistableRecord {
    /// The table.
    public static let databaseTableName = "owned_volume"
}

extension FleetEvent: FetchableRecord, MutablePersistableRecord {
    /// The table.
    public static let databaseTableName = "event"

    /// Takes the row id after insert.
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension ActualSandboxRecord {
    /// Reads a row column by column (faster than Codable for the thousands read each pass).
    public init(row: Row) throws {
        self.init(
            id: row["id"], name: row["name"], logicalName: row["logical_name"], generation: row["generation"], specHash: row["spec_hash"],
            phase: row["phase"], exitCode: row["exit_code"], terminationReason: row["termination_reason"], createdAt: row["created_at"],
            startedAt: row["started_at"], finishedAt: row["finished_at"], tracked: row["tracked"])
    }
}

extension LogicalSandboxStatus {
    /// Reads a row column by column (faster than Codable for the thousands read each pass).
    public init(row: Row) throws {
        self.init(
            logicalName: row["logical_name"], owner: row["owner"], lastGeneration: row["last_generation"], failureCount: row["failure_count"],
            backoffUntil: row["backoff_until"], sync: SyncStatus(rawValue: row["sync"]) ?? .outOfSync,
            health: HealthStatus(rawValue: row["health"]) ?? .degraded, phase: row["phase"], generation: row["generation"],
            actualID: row["actual_id"], actualName: row["actual_name"], message: row["message"], lastTransitionAt: row["last_transition_at"])
    }
}
