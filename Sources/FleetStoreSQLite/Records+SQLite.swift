import FleetModel
import FleetStore
import Foundation
import GRDB

// The records of the store contract, as rows of the SQLite schema (see the migrations in
// SQLiteFleetStore): the table of each, and how GRDB reads and writes them — Codable for the small
// tables, column by column for the ones a pass reads or writes thousands of (below).

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
            failingSpecHash: row["failing_spec_hash"], backoffUntil: row["backoff_until"], sync: SyncStatus(rawValue: row["sync"]) ?? .outOfSync,
            health: HealthStatus(rawValue: row["health"]) ?? .degraded, phase: row["phase"], generation: row["generation"],
            actualID: row["actual_id"], actualName: row["actual_name"], message: row["message"], lastTransitionAt: row["last_transition_at"])
    }
}

// Rows written column by column: a pass that creates 1,000 sandboxes writes 1,000 intents, records,
// statuses and events, and the Codable path (an encoder, a dictionary of columns and a `DateFormatter` a
// row) was most of the time spent recording them. ``StoredRow`` gives each record one list of columns,
// used by GRDB's `insert` and by the bulk writes of a pass (one prepared statement for all rows).

extension ActualSandboxRecord: StoredRow {
    static let columnNames = [
        "id", "name", "logical_name", "generation", "spec_hash", "phase", "exit_code", "termination_reason", "created_at", "started_at",
        "finished_at", "tracked",
    ]

    var columnValues: [(any DatabaseValueConvertible)?] {
        [
            id, name, logicalName, generation, specHash, phase, exitCode, terminationReason, StoreTimestamp(createdAt), startedAt.map(StoreTimestamp.init),
            finishedAt.map(StoreTimestamp.init), tracked,
        ]
    }

    /// Writes the row column by column.
    public func encode(to container: inout PersistenceContainer) { encodeColumns(to: &container) }
}

extension LogicalSandboxStatus: StoredRow {
    static let columnNames = [
        "logical_name", "owner", "last_generation", "failure_count", "backoff_until", "sync", "health", "phase", "generation", "actual_id",
        "actual_name", "message", "last_transition_at", "failing_spec_hash",
    ]

    var columnValues: [(any DatabaseValueConvertible)?] {
        [
            logicalName, owner, lastGeneration, failureCount, backoffUntil.map(StoreTimestamp.init), sync.rawValue, health.rawValue, phase, generation,
            actualID, actualName, message, StoreTimestamp(lastTransitionAt), failingSpecHash,
        ]
    }

    /// Writes the row column by column.
    public func encode(to container: inout PersistenceContainer) { encodeColumns(to: &container) }
}

extension CreateIntent: StoredRow {
    static let columnNames = ["actual_name", "kind", "logical_name", "generation", "created_at"]

    var columnValues: [(any DatabaseValueConvertible)?] { [actualName, kind, logicalName, generation, StoreTimestamp(createdAt)] }

    /// Writes the row column by column.
    public func encode(to container: inout PersistenceContainer) { encodeColumns(to: &container) }
}

extension FleetEvent: StoredRow {
    static let columnNames = ["id", "kind", "name", "type", "reason", "message", "count", "first_at", "last_at", "object"]

    var columnValues: [(any DatabaseValueConvertible)?] {
        [id, kind.rawValue, name, type.rawValue, reason.rawValue, message, count, StoreTimestamp(firstAt), StoreTimestamp(lastAt), object]
    }

    /// Writes the row column by column.
    public func encode(to container: inout PersistenceContainer) { encodeColumns(to: &container) }
}
