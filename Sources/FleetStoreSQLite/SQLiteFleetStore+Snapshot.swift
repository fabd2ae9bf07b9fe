import FleetModel
import FleetStore
import Foundation
import GRDB

extension SQLiteFleetStore {
    /// `sqlite`.
    public var engine: String { "sqlite" }

    /// The schema version recorded in `PRAGMA user_version`.
    public func schemaVersion() throws -> Int {
        try readDatabase { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// Everything but the lease, in one read.
    public func snapshot() throws -> StoreSnapshot {
        try readDatabase { db in
            var settings: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM fleet_setting") { settings[row["key"]] = row["value"] }
            return StoreSnapshot(
                settings: settings, revision: try Self.revision(db),
                pruneAllRequestedRevision: try Int64.fetchOne(db, sql: "SELECT prune_all_requested_revision FROM desired_state WHERE id = 1"),
                resources: try Self.resources(db),
                reconcilerRevision: try Int64.fetchOne(db, sql: "SELECT revision FROM reconciler_revision WHERE id = 1") ?? 0,
                sandboxes: try ActualSandboxRecord.fetchAll(db, sql: "SELECT * FROM actual_sandbox ORDER BY name"),
                statuses: try LogicalSandboxStatus.fetchAll(db, sql: "SELECT * FROM logical_status ORDER BY logical_name"),
                intents: try CreateIntent.fetchAll(db, sql: "SELECT * FROM create_intent ORDER BY actual_name"),
                volumes: try OwnedVolume.fetchAll(db, sql: "SELECT * FROM owned_volume ORDER BY logical_name"),
                events: try FleetEvent.fetchAll(db, sql: "SELECT * FROM event ORDER BY id"),
                specs: try RecordedSpec.fetchAll(db, sql: "SELECT * FROM sandbox_spec ORDER BY spec_hash"))
        }
    }

    /// Replaces everything but the lease with `snapshot`, in one transaction.
    public func restore(_ snapshot: StoreSnapshot, replacing: Bool) throws {
        try write { db in
            if !replacing {
                let held = try Int.fetchOne(
                    db,
                    sql: """
                        SELECT (SELECT COUNT(*) FROM desired_resource) + (SELECT COUNT(*) FROM actual_sandbox) + (SELECT COUNT(*) FROM logical_status)
                        + (SELECT COUNT(*) FROM create_intent) + (SELECT COUNT(*) FROM owned_volume) + (SELECT COUNT(*) FROM event)
                        + (SELECT COUNT(*) FROM sandbox_spec)
                        """) ?? 0
                guard held == 0 else { throw FleetStoreError.notEmpty(location: self.path) }
            }
            for table in ["fleet_setting", "desired_resource", "actual_sandbox", "logical_status", "create_intent", "owned_volume", "event", "sandbox_spec"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            for (key, value) in snapshot.settings {
                try db.execute(sql: "INSERT INTO fleet_setting (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            try db.execute(
                sql: "UPDATE desired_state SET revision = ?, prune_all_requested_revision = ? WHERE id = 1",
                arguments: [snapshot.revision, snapshot.pruneAllRequestedRevision])
            try db.execute(sql: "UPDATE reconciler_revision SET revision = ? WHERE id = 1", arguments: [snapshot.reconcilerRevision])
            for resource in snapshot.resources { try resource.insert(db) }
            try db.insert(snapshot.sandboxes, replacing: false)
            try db.insert(snapshot.statuses, replacing: false)
            try db.insert(snapshot.intents, replacing: false)
            for volume in snapshot.volumes { try volume.insert(db) }
            try db.insert(snapshot.events, replacing: false)
            for spec in snapshot.specs { try spec.insert(db) }
        }
    }
}
