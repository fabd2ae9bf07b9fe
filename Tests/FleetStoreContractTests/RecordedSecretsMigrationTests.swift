import FleetModel
import FleetStore
import FleetStorePostgres
import FleetStoreSQLite
import FleetTestSupport
import Foundation
import GRDB
import PostgresNIO
import Testing

/// Events recorded before environment values were hidden named them in their field changes; opening
/// such a store rewrites them on both engines, and leaves every other message as it was.
@Suite("Hiding recorded environment values")
struct RecordedSecretsMigrationTests {
    static let now = Date()

    /// What an older porter-fleet recorded for a changed password and image.
    static let drift = #"generation 1: ~ spec.env.DB_PASSWORD: "hunter2, ~ x" → "s3cret\"pw", + spec.template.env: {"TOKEN":"abc"}, ~ spec.image: "a" → "b""#
    static let replacing = #"created generation 2 (api-g2): replace drifted generation 1: - spec.env.OLD_KEY: "gone-value""#
    static let unrelated = #"terminated api-g1: replaced by generation 2 (env stays)"#

    static func oldEvents() -> ReconcilerChanges {
        var changes = ReconcilerChanges()
        changes.events = [
            FleetEvent(kind: .sandbox, name: "api", type: .normal, reason: .drift, message: drift, at: now),
            FleetEvent(kind: .sandbox, name: "api", type: .normal, reason: .replacing, message: replacing, at: now),
            FleetEvent(kind: .sandbox, name: "api", type: .normal, reason: .replaced, message: unrelated, at: now),
        ]
        return changes
    }

    static func expectScrubbed(_ events: [FleetEvent]) {
        let messages = events.map(\.message)
        #expect(
            messages == [
                "generation 1: ~ spec.env.DB_PASSWORD: (changed), + spec.template.env: (set), ~ spec.image: \"a\" → \"b\"",
                "created generation 2 (api-g2): replace drifted generation 1: - spec.env.OLD_KEY: (removed)",
                unrelated,
            ], "\(messages)")
        for secret in ["hunter2", "s3cret", "abc", "gone-value"] { #expect(!messages.joined().contains(secret)) }
    }

    @Test func sqliteEventsAreRewrittenWhenTheStoreIsOpened() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-scrub-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("fleet.db").path
        try await SQLiteFleetStore(path: path).commit(Self.oldEvents(), now: Self.now)
        // Back to the schema before the migration, as an older porter-fleet left it.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5: hide recorded environment values'")
            try db.execute(sql: "PRAGMA user_version = 4")
        }
        #expect(try await queue.read { db in try String.fetchAll(db, sql: "SELECT message FROM event") }.contains(Self.drift), "seeded as recorded")
        try queue.close()
        Self.expectScrubbed(try await SQLiteFleetStore(path: path, create: false).events())
    }

    @Test func postgresEventsAreRewrittenWhenTheStoreIsOpened() async throws {
        let url = try await TestPostgres.freshDatabase()
        try await PostgresFleetStore(url: url).commit(Self.oldEvents(), now: Self.now, fence: nil)
        try await TestPostgres.withAdminConnection(url) { connection in
            // Back to schema 2, as an older porter-fleet left it.
            try await connection.query("DELETE FROM porter_fleet.schema_migration WHERE version >= 3", logger: Logger(label: "test"))
            try await connection.query("ALTER TABLE porter_fleet.logical_status DROP COLUMN failing_spec_hash", logger: Logger(label: "test"))
            try await connection.query("ALTER TABLE porter_fleet.event DROP COLUMN object", logger: Logger(label: "test"))
            let rows = try await connection.query("SELECT count(*) FROM porter_fleet.event WHERE message LIKE '%hunter2%'", logger: Logger(label: "test"))
            for try await count in rows.decode(Int.self) { #expect(count == 1, "the old message is there before the migration") }
        }
        let reopened = try await PostgresFleetStore(url: url)
        #expect(reopened.versionFoundAtOpen == 2)
        Self.expectScrubbed(try await reopened.events())
    }
}
