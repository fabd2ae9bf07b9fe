import FleetModel
import FleetStore
import Foundation
import PostgresNIO

extension PostgresFleetStore {
    // MARK: Reading

    /// The fleet's settings (`default` and no prefix until set).
    public func settings() async throws -> FleetSettings {
        try await read { connection in try await Self.settings(connection, logger: logger) }
    }

    static func settings(_ connection: PostgresConnection, logger: Logger) async throws -> FleetSettings {
        var values: [String: String] = [:]
        for try await (key, value) in try await connection.query("SELECT key, value FROM fleet_setting", logger: logger).decode((String, String).self) {
            values[key] = value
        }
        return FleetSettings(values: values)
    }

    /// The desired-state revision.
    public func revision() async throws -> Int64 {
        try await readStatement { connection in try await Self.revision(connection, logger: logger) }
    }

    static func revision(_ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        try await connection.query("SELECT revision FROM desired_state WHERE id = 1", logger: logger).single(Int64.self) ?? 0
    }

    /// The revision at which `delete --all` asked to prune everything, while it stands.
    public func pruneAllRequestedRevision() async throws -> Int64? {
        try await read { connection in
            try await connection.query("SELECT prune_all_requested_revision FROM desired_state WHERE id = 1", logger: logger)
                .single(Int64?.self) ?? nil
        }
    }

    /// Desired resources, of one kind or all, by kind then name.
    public func resources(kind: ResourceKind?) async throws -> [DesiredResource] {
        try await read { connection in try await Self.resources(connection, kind: kind, logger: logger) }
    }

    static func resources(_ connection: PostgresConnection, kind: ResourceKind? = nil, logger: Logger) async throws -> [DesiredResource] {
        let columns = "kind, name, tags, spec, spec_hash, source, revision, created_at, updated_at"
        let rows: PostgresRowSequence
        if let kind {
            rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT \(columns) FROM desired_resource WHERE kind = $1 ORDER BY name", binds: try binds(kind.rawValue)),
                logger: logger)
        } else {
            rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(columns) FROM desired_resource ORDER BY name"), logger: logger)
        }
        var resources: [DesiredResource] = []
        for try await (kind, name, tags, spec, specHash, source, revision, createdAt, updatedAt) in rows.decode(
            (String, String, String, String, String, String, Int64, Date, Date).self)
        {
            guard let kind = ResourceKind(rawValue: kind) else { continue }
            resources.append(
                DesiredResource(
                    kind: kind, name: name, tags: tags, spec: spec, specHash: specHash, source: source, revision: revision, createdAt: createdAt,
                    updatedAt: updatedAt))
        }
        return resources.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// PostgreSQL has no whole-file check; this confirms every table answers.
    public func integrityCheck() async throws -> String {
        try await read { connection in
            for table in ["fleet_setting", "desired_state", "desired_resource", "actual_sandbox", "logical_status", "create_intent", "owned_volume", "event", "sandbox_spec", "lease"] {
                try await connection.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger)
            }
            return "ok"
        }
    }

    // MARK: Writing

    /// Records the fleet id on first use; refuses a store that belongs to another fleet.
    @discardableResult
    public func claim(fleetID: String?) async throws -> String {
        if let fleetID { try DesiredStateRules.validate(fleetID: fleetID) }
        let location = location
        return try await write { connection in
            let stored = try await connection.query("SELECT value FROM fleet_setting WHERE key = 'fleet_id'", logger: logger).single(String.self)
            if let stored {
                guard fleetID == nil || stored == fleetID else {
                    throw FleetStoreError.fleetMismatch(path: location, stored: stored, requested: fleetID ?? "")
                }
                return stored
            }
            let claimed = fleetID ?? FleetID.generate()
            try await connection.query("INSERT INTO fleet_setting (key, value) VALUES ('fleet_id', \(claimed))", logger: logger)
            // A store that owns no volume yet names its volumes scoped; one that does keeps their names.
            if try await connection.query("SELECT COUNT(*) FROM owned_volume", logger: logger).single(Int64.self) ?? 0 == 0 {
                try await Self.saveSetting(FleetSettings.Key.volumeNaming, VolumeNaming.scoped.rawValue, connection, logger: logger)
            }
            return claimed
        }
    }

    /// Sets the name prefix; refused while resources are desired.
    public func setNamePrefix(_ prefix: String) async throws {
        try DesiredStateRules.validate(namePrefix: prefix)
        try await write { connection in
            let count = try await connection.query("SELECT COUNT(*) FROM desired_resource", logger: logger).single(Int64.self) ?? 0
            guard try await Self.settings(connection, logger: logger).namePrefix != prefix else { return }
            guard count == 0 else { throw FleetStoreError.namePrefixLocked }
            try await connection.query(
                """
                INSERT INTO fleet_setting (key, value) VALUES ('name_prefix', \(prefix))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """, logger: logger)
        }
    }

    /// Sets how volumes are named; refused while resources are desired or volumes owned.
    public func setVolumeNaming(_ naming: VolumeNaming) async throws {
        try await write { connection in
            guard try await Self.settings(connection, logger: logger).volumeNaming != naming else { return }
            let desired = try await connection.query("SELECT COUNT(*) FROM desired_resource", logger: logger).single(Int64.self) ?? 0
            let owned = try await connection.query("SELECT COUNT(*) FROM owned_volume", logger: logger).single(Int64.self) ?? 0
            guard desired == 0, owned == 0 else { throw FleetStoreError.volumeNamingLocked }
            try await Self.saveSetting(FleetSettings.Key.volumeNaming, naming.rawValue, connection, logger: logger)
        }
    }

    static func saveSetting(_ key: String, _ value: String, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(
            """
            INSERT INTO fleet_setting (key, value) VALUES (\(key), \(value))
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
            """, logger: logger)
    }

    /// Applies manifests all-or-nothing (see ``FleetStore/apply(_:sources:prune:dryRun:)``).
    public func apply(_ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, dryRun: Bool) async throws -> ApplyReport {
        return try await write(rollback: dryRun) { connection in
            let change = try DesiredStateRules.apply(
                manifests, sources: sources, prune: prune, dryRun: dryRun, existing: try await Self.resources(connection, logger: logger),
                settings: try await Self.settings(connection, logger: logger), revision: try await Self.revision(connection, logger: logger),
                now: Date())
            return try await persist(change, connection)
        }
    }

    /// Removes named resources of one kind, all or nothing.
    public func delete(kind: ResourceKind, names: [String]) async throws -> ApplyReport {
        try await delete(keys: names.map { (kind, $0) })
    }

    /// Removes resources by kind and name, all or nothing.
    public func delete(keys: [(ResourceKind, String)]) async throws -> ApplyReport {
        return try await write { connection in
            let change = try DesiredStateRules.delete(
                keys: keys, existing: try await Self.resources(connection, logger: logger), revision: try await Self.revision(connection, logger: logger))
            return try await persist(change, connection)
        }
    }

    /// Removes every resource and records the request to prune everything.
    public func deleteAll() async throws -> ApplyReport {
        try await write { connection in
            let change = DesiredStateRules.deleteAll(
                existing: try await Self.resources(connection, logger: logger), revision: try await Self.revision(connection, logger: logger))
            return try await persist(change, connection)
        }
    }

    /// Sets a set's replicas.
    public func scale(set name: String, replicas: Int) async throws -> ApplyReport {
        try await write { connection in
            let change = try DesiredStateRules.scale(
                set: name, replicas: replicas, existing: try await Self.resources(connection, logger: logger),
                settings: try await Self.settings(connection, logger: logger), revision: try await Self.revision(connection, logger: logger), now: Date())
            return try await persist(change, connection)
        }
    }

    /// Writes a change computed by ``DesiredStateRules`` in the caller's transaction, in a few statements
    /// whatever its size, and announces a new revision to listeners (delivered at commit).
    func persist(_ change: DesiredStateChange, _ connection: PostgresConnection) async throws -> ApplyReport {
        if !change.removed.isEmpty {
            try await connection.query(
                """
                DELETE FROM desired_resource WHERE (kind, name) IN
                (SELECT * FROM unnest(\(change.removed.map(\.kind.rawValue))::text[], \(change.removed.map(\.name))::text[]))
                """, logger: logger)
        }
        if !change.moved.isEmpty {
            try await connection.query(
                """
                UPDATE desired_resource d SET source = m.source
                FROM unnest(\(change.moved.map(\.kind.rawValue))::text[], \(change.moved.map(\.name))::text[], \(change.moved.map(\.source))::text[])
                AS m(kind, name, source) WHERE d.kind = m.kind AND d.name = m.name
                """, logger: logger)
        }
        if !change.saved.isEmpty {
            try await connection.query(
                """
                INSERT INTO desired_resource SELECT * FROM jsonb_populate_recordset(NULL::desired_resource, \(try RecordJSON.encode(change.saved))::jsonb)
                ON CONFLICT (kind, name) DO UPDATE SET tags = EXCLUDED.tags, spec = EXCLUDED.spec, spec_hash = EXCLUDED.spec_hash,
                source = EXCLUDED.source, revision = EXCLUDED.revision, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at
                """, logger: logger)
        }
        if change.bumpsRevision {
            try await connection.query("UPDATE desired_state SET revision = \(change.report.revision) WHERE id = 1", logger: logger)
            try await connection.query("SELECT pg_notify(\(PostgresSchema.changeChannel), \(String(change.report.revision)))", logger: logger)
        }
        switch change.pruneAll {
        case .unchanged: break
        case .withdrawn: try await connection.query("UPDATE desired_state SET prune_all_requested_revision = NULL WHERE id = 1", logger: logger)
        case .requested:
            try await connection.query("UPDATE desired_state SET prune_all_requested_revision = \(change.report.revision) WHERE id = 1", logger: logger)
        }
        return change.report
    }
}

/// Bindings for a query built from SQL text.
func binds(_ values: String...) throws -> PostgresBindings {
    var bindings = PostgresBindings()
    for value in values { bindings.append(value) }
    return bindings
}

extension PostgresRowSequence {
    /// The first column of the first row, when there is a row.
    func single<T: PostgresDecodable & Sendable>(_ type: T.Type) async throws -> T? {
        var first: T?
        for try await value in decode(T.self) where first == nil { first = value }
        return first
    }
}
