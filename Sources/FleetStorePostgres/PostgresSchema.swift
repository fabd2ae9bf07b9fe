import FleetModel
import FleetStore
import PostgresNIO

/// The PostgreSQL schema of the store: the same tables as the SQLite engine, in a schema of their own
/// (`porter_fleet`), versioned by the rows of `schema_migration`.
///
/// Migrations run in one transaction under an advisory lock, so concurrent first starts serialise and
/// the second finds the work done. Shipped migrations are frozen: add new ones, never edit these.
enum PostgresSchema {
    /// The schema (namespace) that holds every table; connections put it first on their search path.
    static let name = "porter_fleet"

    /// Advisory-lock keys: one for migrations, one that every writing transaction takes (so writers
    /// serialise as SQLite's do, and no update is lost).
    static let migrationLock: Int64 = 0x706F_7274_6572_0001
    static let writerLock: Int64 = 0x706F_7274_6572_0002

    /// The channel on which every desired-state change is announced, with the new revision as payload.
    static let changeChannel = "porter_fleet_desired_state"

    /// One step of the schema.
    struct Migration {
        let version: Int
        let description: String
        let statements: [String]
        /// Work on existing rows that SQL alone does not express, run after the statements.
        var rewrite: (@Sendable (PostgresConnection, Logger) async throws -> Void)? = nil
    }

    /// The newest version this build knows.
    static var version: Int { migrations.last?.version ?? 0 }

    static let migrations: [Migration] = [
        Migration(
            version: 1, description: "desired state, reconciler state, events, lease",
            statements: [
                "CREATE TABLE fleet_setting (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                """
                CREATE TABLE desired_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    revision BIGINT NOT NULL,
                    prune_all_requested_revision BIGINT
                )
                """,
                "INSERT INTO desired_state (id, revision) VALUES (1, 0)",
                """
                CREATE TABLE desired_resource (
                    kind TEXT NOT NULL CHECK (kind IN ('Sandbox', 'SandboxSet', 'Volume')),
                    name TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    spec_hash TEXT NOT NULL,
                    source TEXT NOT NULL,
                    revision BIGINT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (kind, name)
                )
                """,
                "CREATE INDEX desired_resource_by_source ON desired_resource (source)",
                """
                CREATE TABLE actual_sandbox (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    logical_name TEXT NOT NULL,
                    generation BIGINT NOT NULL,
                    spec_hash TEXT NOT NULL,
                    phase TEXT NOT NULL,
                    exit_code BIGINT,
                    termination_reason TEXT,
                    created_at TIMESTAMPTZ NOT NULL,
                    started_at TIMESTAMPTZ,
                    finished_at TIMESTAMPTZ,
                    tracked BOOLEAN NOT NULL
                )
                """,
                "CREATE INDEX actual_sandbox_by_logical ON actual_sandbox (logical_name, generation)",
                "CREATE INDEX actual_sandbox_tracked ON actual_sandbox (tracked)",
                """
                CREATE TABLE logical_status (
                    logical_name TEXT PRIMARY KEY,
                    owner TEXT NOT NULL,
                    last_generation BIGINT NOT NULL,
                    failure_count BIGINT NOT NULL,
                    backoff_until TIMESTAMPTZ,
                    sync TEXT NOT NULL,
                    health TEXT NOT NULL,
                    phase TEXT,
                    generation BIGINT,
                    actual_id TEXT,
                    actual_name TEXT,
                    message TEXT NOT NULL,
                    last_transition_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE create_intent (
                    actual_name TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('sandbox', 'volume')),
                    logical_name TEXT NOT NULL,
                    generation BIGINT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE owned_volume (
                    logical_name TEXT PRIMARY KEY,
                    volume_id TEXT NOT NULL UNIQUE,
                    actual_name TEXT NOT NULL,
                    adopted BOOLEAN NOT NULL,
                    deletion_policy TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    retained_at TIMESTAMPTZ
                )
                """,
                """
                CREATE TABLE event (
                    id BIGSERIAL PRIMARY KEY,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
                    reason TEXT NOT NULL,
                    message TEXT NOT NULL,
                    count BIGINT NOT NULL,
                    first_at TIMESTAMPTZ NOT NULL,
                    last_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX event_by_time ON event (last_at)",
                "CREATE INDEX event_by_object ON event (kind, name, id)",
                "CREATE TABLE reconciler_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision BIGINT NOT NULL)",
                "INSERT INTO reconciler_revision (id, revision) VALUES (1, 0)",
                """
                CREATE TABLE lease (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    holder TEXT NOT NULL,
                    expires_at TIMESTAMPTZ NOT NULL,
                    token BIGINT NOT NULL
                )
                """,
            ]),
        Migration(
            version: 2, description: "recorded specs",
            statements: [
                "CREATE TABLE sandbox_spec (spec_hash TEXT PRIMARY KEY, document TEXT NOT NULL, recorded_at TIMESTAMPTZ NOT NULL)"
            ]),
        Migration(
            version: 3, description: "hide recorded environment values", statements: [],
            rewrite: { connection, logger in try await hideRecordedEnvironmentValues(connection, logger: logger) }),
        Migration(
            version: 4, description: "failing spec hash",
            statements: ["ALTER TABLE logical_status ADD COLUMN failing_spec_hash TEXT"]),
        Migration(version: 5, description: "event objects", statements: ["ALTER TABLE event ADD COLUMN object TEXT"]),
    ]

    /// Events recorded before environment values were hidden name them in their field changes: rewrites
    /// those messages as they are recorded now (``RecordedChangeScrubber``).
    static func hideRecordedEnvironmentValues(_ connection: PostgresConnection, logger: Logger) async throws {
        var rewritten: [(Int64, String)] = []
        let rows = try await connection.query("SELECT id, message FROM event WHERE message LIKE '%env%'", logger: logger)
        for try await (id, message) in rows.decode((Int64, String).self) {
            let scrubbed = RecordedChangeScrubber.scrub(message)
            if scrubbed != message { rewritten.append((id, scrubbed)) }
        }
        for (id, message) in rewritten {
            try await connection.query("UPDATE event SET message = \(message) WHERE id = \(id)", logger: logger)
        }
    }

    /// Brings the database to ``version`` under the migration lock, in one transaction: refuses a
    /// database of another application and a store of a newer version, changing nothing in either case.
    ///
    /// - Returns: the version found before migrating (0 for a new store).
    static func migrate(_ connection: PostgresConnection, location: String, logger: Logger) async throws -> Int {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: logger)
            let found = try await currentVersion(connection, location: location, logger: logger)
            guard found <= version else { throw FleetStoreError.newerSchema(path: location) }
            if found == 0 { try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(name)"), logger: logger) }
            if found == 0 {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE TABLE schema_migration (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"),
                    logger: logger)
            }
            for migration in migrations where migration.version > found {
                for statement in migration.statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                try await migration.rewrite?(connection, logger)
                try await connection.query(
                    "INSERT INTO schema_migration (version, description) VALUES (\(migration.version), \(migration.description))", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
            return found
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The recorded version: 0 when the database holds no tables at all (a new store).
    ///
    /// - Throws: a foreign-database error when tables exist but ours do not.
    static func currentVersion(_ connection: PostgresConnection, location: String, logger: Logger) async throws -> Int {
        let ours = try await connection.query("SELECT to_regclass('porter_fleet.schema_migration') IS NOT NULL", logger: logger)
        var isOurs = false
        for try await flag in ours.decode(Bool.self) { isOurs = flag }
        if isOurs {
            var version = 0
            for try await found in try await connection.query("SELECT COALESCE(MAX(version), 0) FROM porter_fleet.schema_migration", logger: logger)
                .decode(Int.self)
            {
                version = found
            }
            return version
        }
        let tables = try await connection.query(
            """
            SELECT table_schema || '.' || table_name FROM information_schema.tables
            WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 LIMIT 3
            """, logger: logger)
        var names: [String] = []
        for try await table in tables.decode(String.self) { names.append(table) }
        guard names.isEmpty else {
            throw FleetStoreError.foreignDatabase(
                path: location, detail: "it holds other tables (\(names.joined(separator: ", "))) and no porter-fleet schema")
        }
        return 0
    }
}
