import FleetModel
import FleetStore
import Foundation
import PostgresNIO

extension PostgresFleetStore {
    /// `postgres`.
    public var engine: String { "postgres" }

    /// The newest applied migration.
    public func schemaVersion() async throws -> Int {
        try await read { connection in
            try await connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_migration", logger: logger).single(Int.self) ?? 0
        }
    }

    /// Everything but the lease, in one snapshot.
    public func snapshot() async throws -> StoreSnapshot {
        try await read { connection in
            var settings: [String: String] = [:]
            for try await (key, value) in try await connection.query("SELECT key, value FROM fleet_setting", logger: logger).decode((String, String).self) {
                settings[key] = value
            }
            var revisions: (Int64, Int64?, Int64) = (0, nil, 0)
            for try await row in try await connection.query(
                "SELECT d.revision, d.prune_all_requested_revision, r.revision FROM desired_state d, reconciler_revision r", logger: logger
            ).decode((Int64, Int64?, Int64).self) {
                revisions = row
            }
            let events = try await Self.events(
                try await connection.query("SELECT id, kind, name, type, reason, message, count, first_at, last_at, object FROM event ORDER BY id", logger: logger))
            return StoreSnapshot(
                settings: settings, revision: revisions.0, pruneAllRequestedRevision: revisions.1,
                resources: try await Self.resources(connection, logger: logger), reconcilerRevision: revisions.2,
                sandboxes: try await Self.sandboxes(connection, where: "TRUE", logger: logger), statuses: try await Self.statuses(connection, logger: logger),
                intents: try await Self.intents(connection, logger: logger), volumes: try await Self.volumes(connection, logger: logger), events: events,
                specs: try await Self.specs(connection, hashes: nil, logger: logger))
        }
    }

    /// Replaces everything but the lease with `snapshot`, in one transaction.
    public func restore(_ snapshot: StoreSnapshot, replacing: Bool) async throws {
        let location = location
        try await write { connection in
            if !replacing {
                let held = try await connection.query(
                    """
                    SELECT (SELECT COUNT(*) FROM desired_resource) + (SELECT COUNT(*) FROM actual_sandbox) + (SELECT COUNT(*) FROM logical_status)
                    + (SELECT COUNT(*) FROM create_intent) + (SELECT COUNT(*) FROM owned_volume) + (SELECT COUNT(*) FROM event)
                    + (SELECT COUNT(*) FROM sandbox_spec)
                    """, logger: logger
                ).single(Int64.self)
                guard held == 0 else { throw FleetStoreError.notEmpty(location: location) }
            }
            try await connection.query(
                "TRUNCATE fleet_setting, desired_resource, actual_sandbox, logical_status, create_intent, owned_volume, event, sandbox_spec RESTART IDENTITY",
                logger: logger)
            if !snapshot.settings.isEmpty {
                let keys = snapshot.settings.keys.sorted()
                try await connection.query(
                    "INSERT INTO fleet_setting (key, value) SELECT * FROM unnest(\(keys)::text[], \(keys.map { snapshot.settings[$0] ?? "" })::text[])",
                    logger: logger)
            }
            try await connection.query(
                "UPDATE desired_state SET revision = \(snapshot.revision), prune_all_requested_revision = \(snapshot.pruneAllRequestedRevision) WHERE id = 1",
                logger: logger)
            try await connection.query("UPDATE reconciler_revision SET revision = \(snapshot.reconcilerRevision) WHERE id = 1", logger: logger)
            try await Self.insertAll("desired_resource", snapshot.resources, connection, logger: logger)
            try await Self.insertAll("actual_sandbox", snapshot.sandboxes, connection, logger: logger)
            try await Self.insertAll("logical_status", snapshot.statuses, connection, logger: logger)
            try await Self.insertAll("create_intent", snapshot.intents, connection, logger: logger)
            try await Self.insertAll("owned_volume", snapshot.volumes, connection, logger: logger)
            try await Self.insertAll("event", snapshot.events, connection, logger: logger)
            try await Self.insertAll("sandbox_spec", snapshot.specs, connection, logger: logger)
            try await connection.query(
                "SELECT setval(pg_get_serial_sequence('event', 'id'), COALESCE((SELECT MAX(id) FROM event), 0) + 1, false)", logger: logger)
            try await connection.query("SELECT pg_notify(\(PostgresSchema.changeChannel), \(String(snapshot.revision)))", logger: logger)
        }
    }

    /// Inserts `records` into `table` in one statement (their coding keys are the column names).
    private static func insertAll<Record: Encodable>(_ table: String, _ records: [Record], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !records.isEmpty else { return }
        var bindings = PostgresBindings()
        bindings.append(try RecordJSON.encode(records))
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO \(table) SELECT * FROM jsonb_populate_recordset(NULL::\(table), $1::jsonb)", binds: bindings),
            logger: logger)
    }
}
