import FleetModel
import FleetStore
import Foundation
import GRDB

/// The desired-state store on one SQLite file (WAL, busy timeout, foreign keys, frozen migrations),
/// through GRDB: the embedded engine of the ``FleetStore`` contract.
///
/// Every method that writes is one transaction, taken `IMMEDIATE` so that concurrent porter-fleet
/// processes serialise instead of losing updates; every method is named for what it does.
public final class SQLiteFleetStore: FleetStore {
    /// The file.
    public let path: String
    /// The file's path.
    public var location: String { path }
    private let database: DatabaseQueue

    /// Why writes are refused, when `quick_check` found damage at open; reads still work.
    private let damage: String?

    /// Opens the store at `path`, creating the file (not its directory) when `create` is true.
    ///
    /// An existing file is first checked read-only: another application's database is refused and
    /// left untouched, and a damaged store opens for reading only. A new or pre-marker store is marked
    /// with porter-fleet's `application_id`, and `user_version` records its schema version.
    ///
    /// - Throws: ``FleetStoreError`` with what to do next for a missing, unreadable, foreign, damaged,
    ///   read-only or newer file.
    public init(path: String, create: Bool = true) throws(FleetStoreError) {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try StoreFileModes.requireRegularFileOrNothing(path)
        if FileManager.default.fileExists(atPath: path) {
            // SQLite in WAL mode writes beside the file even to read, so both must be writable.
            guard access(path, R_OK | W_OK) == 0, access(directory, W_OK | X_OK) == 0 else { throw .readOnly(path: path) }
        } else {
            guard create else { throw .cannotOpen(path: path, detail: "no such file; run 'porter-fleet apply' first") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .cannotOpen(path: path, detail: "the directory '\(directory)' does not exist; create it first")
            }
        }
        // Checking, opening and migrating are serialised across processes with an advisory lock on a
        // side file: a file another process is creating is checked only once it is whole, and GRDB's
        // migrator reads the applied migrations before it writes, so two processes creating one store
        // at once would both run the first migration.
        let lock = StoreLock(path: path + ".lock")
        defer { lock.release() }
        let check: StoreFileCheck?
        do {
            check = FileManager.default.fileExists(atPath: path) ? try StoreFileCheck.check(path: path) : nil
        } catch {
            lock.discard()
            throw error
        }
        damage = check?.damage
        if check == nil { StoreFileModes.createPrivately(path) }
        StoreFileModes.tighten(path)
        do {
            database = try DatabaseQueue(path: path, configuration: Self.configuration)
        } catch {
            throw Self.openingError(error, path: path)
        }
        try prepareSchema(marked: check?.ownership == .ours)
        // SQLite gives -wal and -shm the database's mode; an older store's may be looser.
        StoreFileModes.tighten(path)
    }

    /// Makes `directory`, porter-fleet's own directory for a store (`.porter-fleet`), readable by its
    /// owner alone (0700), or tightens an existing one of the current user's to that.
    public static func preparePrivateDirectory(_ directory: String) {
        StoreFileModes.preparePrivateDirectory(directory)
    }

    private static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        return configuration
    }

    /// WAL mode, pending migrations and the marker, unless the store is damaged (then it must be
    /// current already: a damaged store is never migrated).
    private func prepareSchema(marked: Bool) throws(FleetStoreError) {
        do {
            if try database.read({ db in try Self.migrator.hasBeenSuperseded(db) }) { throw FleetStoreError.newerSchema(path: path) }
            if let damage {
                guard try database.read({ db in try Self.migrator.hasCompletedMigrations(db) }) else {
                    throw FleetStoreError.damaged(path: path, detail: damage)
                }
                return
            }
            let mode = try database.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            if mode != "wal" { try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") } }
            if try database.read({ db in try !Self.migrator.hasCompletedMigrations(db) }) { try Self.migrator.migrate(database) }
            let recorded = try database.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
            if !marked || recorded < Self.schemaVersion {
                try database.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA application_id = \(StoreFileCheck.applicationID)")
                    try db.execute(sql: "PRAGMA user_version = \(Self.schemaVersion)")
                }
            }
        } catch let error as FleetStoreError {
            throw error
        } catch {
            throw Self.openingError(error, path: path)
        }
    }

    /// The schema version recorded in `PRAGMA user_version`: the number of migrations.
    static let schemaVersion = migrator.migrations.count

    /// A readable error for a failure while opening or preparing the file.
    private static func openingError(_ error: any Error, path: String) -> FleetStoreError {
        guard let error = error as? DatabaseError else { return .cannotOpen(path: path, detail: "\(error)") }
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .notADatabase(path: path, detail: error.message ?? "\(error.resultCode)")
        case .SQLITE_READONLY: return .readOnly(path: path)
        case .SQLITE_CANTOPEN: return .cannotOpen(path: path, detail: "SQLite cannot open the file; check it and its directory are readable and writable")
        default: return .cannotOpen(path: path, detail: error.message ?? "\(error)")
        }
    }

    /// The schema. Shipped migrations are frozen: add new ones, never edit these.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: desired state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE fleet_setting (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE desired_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        revision INTEGER NOT NULL,
                        prune_all_requested_revision INTEGER
                    );
                    INSERT INTO desired_state (id, revision) VALUES (1, 0);
                    CREATE TABLE desired_resource (
                        kind TEXT NOT NULL CHECK (kind IN ('Sandbox', 'SandboxSet', 'Volume')),
                        name TEXT NOT NULL,
                        tags TEXT NOT NULL,
                        spec TEXT NOT NULL,
                        spec_hash TEXT NOT NULL,
                        source TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        created_at DATETIME NOT NULL,
                        updated_at DATETIME NOT NULL,
                        PRIMARY KEY (kind, name)
                    );
                    CREATE INDEX desired_resource_by_source ON desired_resource (source);
                    """)
        }
        migrator.registerMigration("v2: reconciler") { db in
            try db.execute(
                sql: """
                    CREATE TABLE actual_sandbox (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL UNIQUE,
                        logical_name TEXT NOT NULL,
                        generation INTEGER NOT NULL,
                        spec_hash TEXT NOT NULL,
                        phase TEXT NOT NULL,
                        exit_code INTEGER,
                        termination_reason TEXT,
                        created_at DATETIME NOT NULL,
                        started_at DATETIME,
                        finished_at DATETIME,
                        tracked BOOLEAN NOT NULL
                    );
                    CREATE INDEX actual_sandbox_by_logical ON actual_sandbox (logical_name, generation);
                    CREATE INDEX actual_sandbox_tracked ON actual_sandbox (tracked);
                    CREATE TABLE logical_status (
                        logical_name TEXT PRIMARY KEY NOT NULL,
                        owner TEXT NOT NULL,
                        last_generation INTEGER NOT NULL,
                        failure_count INTEGER NOT NULL,
                        backoff_until DATETIME,
                        sync TEXT NOT NULL,
                        health TEXT NOT NULL,
                        phase TEXT,
                        generation INTEGER,
                        actual_id TEXT,
                        actual_name TEXT,
                        message TEXT NOT NULL,
                        last_transition_at DATETIME NOT NULL
                    );
                    CREATE TABLE create_intent (
                        actual_name TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('sandbox', 'volume')),
                        logical_name TEXT NOT NULL,
                        generation INTEGER NOT NULL,
                        created_at DATETIME NOT NULL
                    );
                    CREATE TABLE owned_volume (
                        logical_name TEXT PRIMARY KEY NOT NULL,
                        volume_id TEXT NOT NULL UNIQUE,
                        actual_name TEXT NOT NULL,
                        adopted BOOLEAN NOT NULL,
                        deletion_policy TEXT NOT NULL,
                        created_at DATETIME NOT NULL
                    );
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        name TEXT NOT NULL,
                        type TEXT NOT NULL CHECK (type IN ('Normal', 'Warning')),
                        reason TEXT NOT NULL,
                        message TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        first_at DATETIME NOT NULL,
                        last_at DATETIME NOT NULL
                    );
                    CREATE INDEX event_by_time ON event (last_at);
                    CREATE INDEX event_by_object ON event (kind, name, id);
                    CREATE TABLE reconciler_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
                    INSERT INTO reconciler_revision (id, revision) VALUES (1, 0);
                    CREATE TABLE lease (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        holder TEXT NOT NULL,
                        expires_at DATETIME NOT NULL,
                        token INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3: retained volumes") { db in
            try db.execute(sql: "ALTER TABLE owned_volume ADD COLUMN retained_at DATETIME")
        }
        migrator.registerMigration("v4: recorded specs") { db in
            try db.execute(
                sql: "CREATE TABLE sandbox_spec (spec_hash TEXT PRIMARY KEY NOT NULL, document TEXT NOT NULL, recorded_at DATETIME NOT NULL)")
        }
        migrator.registerMigration("v5: hide recorded environment values") { db in
            // Events recorded before environment values were hidden name them in their field changes.
            let rows = try Row.fetchAll(db, sql: "SELECT id, message FROM event WHERE message LIKE '%env%'")
            for row in rows {
                let message: String = row["message"]
                let scrubbed = RecordedChangeScrubber.scrub(message)
                if scrubbed != message {
                    try db.execute(sql: "UPDATE event SET message = ? WHERE id = ?", arguments: [scrubbed, row["id"] as Int64])
                }
            }
        }
        migrator.registerMigration("v6: failing spec hash") { db in
            try db.execute(sql: "ALTER TABLE logical_status ADD COLUMN failing_spec_hash TEXT")
        }
        migrator.registerMigration("v7: event objects") { db in
            try db.execute(sql: "ALTER TABLE event ADD COLUMN object TEXT")
        }
        return migrator
    }

    // MARK: Reading

    /// The fleet's settings (`default` and no prefix until set).
    public func settings() throws -> FleetSettings {
        try database.read { db in try Self.settings(db) }
    }

    static func settings(_ db: Database) throws -> FleetSettings {
        let rows = try Row.fetchAll(db, sql: "SELECT key, value FROM fleet_setting")
        var values: [String: String] = [:]
        for row in rows { values[row["key"]] = row["value"] }
        return FleetSettings(values: values)
    }

    /// The desired-state revision: it grows with every change, so the reconciler can watch it.
    public func revision() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT revision FROM desired_state WHERE id = 1") ?? 0 }
    }

    /// The revision at which `delete --all` last asked for everything to be pruned, if it still stands.
    public func pruneAllRequestedRevision() throws -> Int64? {
        try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT prune_all_requested_revision FROM desired_state WHERE id = 1")
        }
    }

    /// Desired resources, volumes first, then sets, then sandboxes, each by name.
    public func resources(kind: ResourceKind?) throws -> [DesiredResource] {
        try database.read { db in try Self.resources(db, kind: kind) }
    }

    static func resources(_ db: Database, kind: ResourceKind? = nil) throws -> [DesiredResource] {
        let all: [DesiredResource]
        if let kind {
            all = try DesiredResource.fetchAll(db, sql: "SELECT * FROM desired_resource WHERE kind = ? ORDER BY name", arguments: [kind.rawValue])
        } else {
            all = try DesiredResource.fetchAll(db, sql: "SELECT * FROM desired_resource ORDER BY name")
        }
        return all.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// Runs a read.
    /// Every desired resource (synchronous: this engine is embedded).
    public func resources() throws -> [DesiredResource] { try resources(kind: nil) }
    /// The newest events, oldest first.
    public func events(since: Date? = nil) throws -> [FleetEvent] { try events(since: since, limit: 1000) }
    /// The current holder now.
    public func leaseHolder() throws -> LeaseGrant? { try leaseHolder(now: Date()) }

    func readDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        try database.read(body)
    }

    /// SQLite's integrity check ("ok" when sound).
    public func integrityCheck() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }

    // MARK: Writing

    /// Records the fleet id on first use; refuses a store that belongs to another fleet.
    @discardableResult
    public func claim(fleetID: String?) throws -> String {
        if let fleetID { try DesiredStateRules.validate(fleetID: fleetID) }
        return try write { db in
            let stored = try String.fetchOne(db, sql: "SELECT value FROM fleet_setting WHERE key = 'fleet_id'")
            if let stored {
                guard fleetID == nil || stored == fleetID else {
                    throw FleetStoreError.fleetMismatch(path: self.path, stored: stored, requested: fleetID ?? "")
                }
                return stored
            }
            let claimed = fleetID ?? FleetID.generate()
            try db.execute(sql: "INSERT INTO fleet_setting (key, value) VALUES ('fleet_id', ?)", arguments: [claimed])
            // A store that owns no volume yet names its volumes scoped; one that does keeps their names.
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM owned_volume") == 0 {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO fleet_setting (key, value) VALUES ('volume_names', ?)", arguments: [VolumeNaming.scoped.rawValue])
            }
            return claimed
        }
    }

    /// Sets the prefix of every actual sandbox and volume name; refused while resources are desired
    /// (their actual names would change).
    public func setNamePrefix(_ prefix: String) throws {
        try DesiredStateRules.validate(namePrefix: prefix)
        try write { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM desired_resource") ?? 0
            let current = try Self.settings(db).namePrefix
            guard current != prefix else { return }
            guard count == 0 else {
                throw FleetStoreError.namePrefixLocked
            }
            try db.execute(sql: "INSERT OR REPLACE INTO fleet_setting (key, value) VALUES ('name_prefix', ?)", arguments: [prefix])
        }
    }

    /// Sets how volumes are named; refused while resources are desired or volumes owned (their names
    /// would change).
    public func setVolumeNaming(_ naming: VolumeNaming) throws {
        try write { db in
            guard try Self.settings(db).volumeNaming != naming else { return }
            let desired = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM desired_resource") ?? 0
            let owned = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM owned_volume") ?? 0
            guard desired == 0, owned == 0 else { throw FleetStoreError.volumeNamingLocked }
            try db.execute(sql: "INSERT OR REPLACE INTO fleet_setting (key, value) VALUES ('volume_names', ?)", arguments: [naming.rawValue])
        }
    }

    /// Applies manifests read from `sources` in one transaction: creates, configures, or leaves each
    /// resource, and with `prune` removes the resources applied earlier from those sources that are no
    /// longer in them. Nothing is written with `dryRun`, or when any check fails.
    ///
    /// - Parameters:
    ///   - manifests: with the source file of each.
    ///   - sources: the files and directories applied (for `prune`: resources from these go when absent).
    public func apply(_ manifests: [(manifest: Manifest, source: String)], sources: [String], prune: Bool, dryRun: Bool) throws -> ApplyReport {
        try write(rollback: dryRun) { db in
            let change = try DesiredStateRules.apply(
                manifests, sources: sources, prune: prune, dryRun: dryRun, existing: try Self.resources(db), settings: try Self.settings(db),
                revision: try Self.revision(db), now: Date())
            return try Self.persist(change, db)
        }
    }

    /// Removes named resources of one kind; refuses (changing nothing) when one is missing or a
    /// remaining sandbox still mounts a volume being removed.
    public func delete(kind: ResourceKind, names: [String]) throws -> ApplyReport {
        try delete(keys: names.map { (kind, $0) })
    }

    /// Removes resources by kind and name, all or nothing.
    public func delete(keys: [(ResourceKind, String)]) throws -> ApplyReport {
        try write { db in
            try Self.persist(DesiredStateRules.delete(keys: keys, existing: try Self.resources(db), revision: try Self.revision(db)), db)
        }
    }

    /// Removes every desired resource and records the explicit request that lets the reconciler
    /// prune everything the fleet runs (docs/design-decisions.md, "The prune guard").
    public func deleteAll() throws -> ApplyReport {
        try write { db in try Self.persist(DesiredStateRules.deleteAll(existing: try Self.resources(db), revision: try Self.revision(db)), db) }
    }

    /// Sets a sandbox set's replicas.
    public func scale(set name: String, replicas: Int) throws -> ApplyReport {
        try write { db in
            let change = try DesiredStateRules.scale(
                set: name, replicas: replicas, existing: try Self.resources(db), settings: try Self.settings(db), revision: try Self.revision(db),
                now: Date())
            return try Self.persist(change, db)
        }
    }

    /// Writes a change computed by ``DesiredStateRules`` (inside the caller's transaction).
    static func persist(_ change: DesiredStateChange, _ db: Database) throws -> ApplyReport {
        for (kind, name) in change.removed {
            try db.execute(sql: "DELETE FROM desired_resource WHERE kind = ? AND name = ?", arguments: [kind.rawValue, name])
        }
        for (kind, name, source) in change.moved {
            try db.execute(sql: "UPDATE desired_resource SET source = ? WHERE kind = ? AND name = ?", arguments: [source, kind.rawValue, name])
        }
        for resource in change.saved { try resource.insert(db, onConflict: .replace) }
        if change.bumpsRevision {
            try db.execute(sql: "UPDATE desired_state SET revision = ? WHERE id = 1", arguments: [change.report.revision])
        }
        switch change.pruneAll {
        case .unchanged: break
        case .withdrawn: try db.execute(sql: "UPDATE desired_state SET prune_all_requested_revision = NULL WHERE id = 1")
        case .requested:
            try db.execute(sql: "UPDATE desired_state SET prune_all_requested_revision = ? WHERE id = 1", arguments: [change.report.revision])
        }
        return change.report
    }

    static func revision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT revision FROM desired_state WHERE id = 1") ?? 0
    }

    // MARK: Helpers

    /// Runs `body` in one IMMEDIATE transaction; with `rollback` it runs and then changes nothing.
    /// A damaged store refuses every write (see ``FleetStoreError/damaged(path:detail:)``).
    func write<T>(rollback: Bool = false, _ body: @escaping (Database) throws -> T) throws -> T {
        if let damage { throw FleetStoreError.damaged(path: path, detail: damage) }
        var result: T?
        do {
            try database.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return rollback ? .rollback : .commit
                }
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw FleetStoreError.readOnly(path: path)
        }
        return result!
    }
}
