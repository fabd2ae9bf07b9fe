import Foundation
import GRDB
import PorterSandbox

/// The local Sandbox API's SQLite file: sandboxes, volumes and log lines, so state survives restarts.
///
/// One writer (a `DatabaseQueue` in WAL mode); each method is one transaction. Records are stored as
/// JSON next to the columns that are queried.
final class LocalStore: Sendable {
    private let database: DatabaseQueue
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return encoder
    }()
    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    /// Opens (creating and migrating) the store at `path`.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sandbox (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, sequence INTEGER NOT NULL, record BLOB NOT NULL);
                    CREATE TABLE volume (id TEXT PRIMARY KEY, name TEXT NOT NULL, record BLOB NOT NULL);
                    CREATE TABLE log_line (
                        rowid INTEGER PRIMARY KEY AUTOINCREMENT, sandbox_id TEXT NOT NULL, timestamp_ms INTEGER NOT NULL,
                        line TEXT NOT NULL, level TEXT NOT NULL, exec_id TEXT NOT NULL);
                    CREATE INDEX log_line_by_sandbox ON log_line (sandbox_id, rowid);
                    """)
        }
        return migrator
    }

    /// Every sandbox and volume, for loading into memory at start.
    func loadAll() throws -> (sandboxes: [LocalSandbox], volumes: [LocalVolume]) {
        try database.read { db in
            let sandboxes = try Data.fetchAll(db, sql: "SELECT record FROM sandbox ORDER BY sequence").map {
                try Self.decoder.decode(LocalSandbox.self, from: $0)
            }
            let volumes = try Data.fetchAll(db, sql: "SELECT record FROM volume").map {
                try Self.decoder.decode(LocalVolume.self, from: $0)
            }
            return (sandboxes, volumes)
        }
    }

    /// Inserts or replaces sandboxes and volumes in one transaction.
    func save(sandboxes: [LocalSandbox] = [], volumes: [LocalVolume] = [], deletedVolumeIDs: [String] = []) throws {
        guard !(sandboxes.isEmpty && volumes.isEmpty && deletedVolumeIDs.isEmpty) else { return }
        try database.write { db in
            for sandbox in sandboxes {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO sandbox (id, name, sequence, record) VALUES (?, ?, ?, ?)",
                    arguments: [sandbox.id, sandbox.name, sandbox.sequence, try Self.encoder.encode(sandbox)])
            }
            for volume in volumes {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO volume (id, name, record) VALUES (?, ?, ?)",
                    arguments: [volume.id, volume.name, try Self.encoder.encode(volume)])
            }
            for id in deletedVolumeIDs {
                try db.execute(sql: "DELETE FROM volume WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Appends log lines in one transaction.
    func append(logs: [LocalLogLine]) throws {
        guard !logs.isEmpty else { return }
        try database.write { db in
            let statement = try db.makeStatement(
                sql: "INSERT INTO log_line (sandbox_id, timestamp_ms, line, level, exec_id) VALUES (?, ?, ?, ?, ?)")
            for log in logs {
                try statement.execute(arguments: [
                    log.sandboxID, Int64(log.timestamp.timeIntervalSince1970 * 1000), log.line, log.level.rawValue, log.execID,
                ])
            }
        }
    }

    /// The last `limit` lines of a sandbox since `since`, oldest first.
    func logs(sandboxID: String, since: Date?, limit: Int) throws -> [LocalLogLine] {
        try database.read { db in
            let sinceMilliseconds = since.map { Int64($0.timeIntervalSince1970 * 1000) } ?? Int64.min
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT timestamp_ms, line, level, exec_id FROM log_line
                    WHERE sandbox_id = ? AND timestamp_ms >= ? ORDER BY rowid DESC LIMIT ?
                    """,
                arguments: [sandboxID, sinceMilliseconds, limit])
            return rows.reversed().map { row in
                LocalLogLine(
                    sandboxID: sandboxID,
                    timestamp: Date(timeIntervalSince1970: Double(row["timestamp_ms"] as Int64) / 1000),
                    line: row["line"],
                    level: Components.Schemas.LogLineLevel(rawValue: row["level"]) ?? .info,
                    execID: row["exec_id"])
            }
        }
    }

    /// The result of SQLite's integrity check ("ok" when sound).
    func integrityCheck() throws -> String {
        try database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}
