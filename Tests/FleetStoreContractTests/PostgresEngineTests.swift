import FleetModel
import FleetStore
import FleetStorePostgres
import FleetTestSupport
import Foundation
import PostgresNIO
import Testing

/// What only the PostgreSQL engine has: opening a database that is not ours, or is newer, or is being
/// created by several processes at once, and a server that refuses us. Each case changes nothing.
@Suite("PostgreSQL engine")
struct PostgresEngineTests {
    @Test func concurrentFirstOpensCreateTheSchemaOnce() async throws {
        let url = try await TestPostgres.freshDatabase()
        let opened = try await withThrowingTaskGroup(of: Int.self, returning: [Int].self) { group in
            for _ in 0..<6 { group.addTask { try await PostgresFleetStore(url: url).versionFoundAtOpen } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(opened.filter { $0 == 0 }.count == 1, "exactly one open created the schema: \(opened)")
        #expect(opened.filter { $0 == PostgresFleetStore.schemaVersion }.count == 5)
        let store = try await PostgresFleetStore(url: url)
        #expect(try await store.integrityCheck() == "ok")
    }

    /// A change applied through one handle (another machine's CLI) is announced on another's stream at
    /// commit, with the new revision; a dry run announces nothing.
    @Test func desiredStateChangesAreAnnouncedToListeners() async throws {
        let url = try await TestPostgres.freshDatabase()
        let listener = try await PostgresFleetStore(url: url)
        let writer = try await PostgresFleetStore(url: url)
        let stream = try #require(listener.desiredStateChanges())
        var notifications = stream.makeAsyncIterator()
        #expect(await notifications.next() == .listening)
        _ = try await writer.apply(try manifests(sandbox("api")), sources: ["fleet.yaml"], prune: false, dryRun: true)
        _ = try await writer.apply(try manifests(sandbox("api")), sources: ["fleet.yaml"], prune: false, dryRun: false)
        let started = ContinuousClock.now
        #expect(await notifications.next() == .changed(revision: 1), "the dry run said nothing; the apply said revision 1")
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func aDatabaseOfAnotherApplicationIsRefusedAndLeftAlone() async throws {
        let url = try await TestPostgres.freshDatabase()
        try await TestPostgres.withAdminConnection(url) { connection in
            try await connection.query("CREATE TABLE invoices (id integer PRIMARY KEY)", logger: Self.logger)
        }
        await #expect(throws: FleetStoreError.self) { try await PostgresFleetStore(url: url) }
        do {
            _ = try await PostgresFleetStore(url: url)
        } catch {
            guard case .foreignDatabase(let location, let detail) = error else { Issue.record("unexpected \(error)"); return }
            #expect(location == url.description && detail.contains("public.invoices"))
        }
        try await TestPostgres.withAdminConnection(url) { connection in
            let schemas = try await connection.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'porter_fleet'", logger: Self.logger)
            for try await count in schemas.decode(Int.self) { #expect(count == 0, "nothing was created") }
        }
    }

    @Test func aStoreOfANewerVersionIsRefusedUnchanged() async throws {
        let url = try await TestPostgres.freshDatabase()
        _ = try await PostgresFleetStore(url: url)
        try await TestPostgres.withAdminConnection(url) { connection in
            try await connection.query("INSERT INTO porter_fleet.schema_migration (version, description) VALUES (999, 'from the future')", logger: Self.logger)
        }
        await #expect(throws: FleetStoreError.newerSchema(path: url.description)) { try await PostgresFleetStore(url: url) }
        try await TestPostgres.withAdminConnection(url) { connection in
            let rows = try await connection.query("SELECT max(version) FROM porter_fleet.schema_migration", logger: Self.logger)
            for try await version in rows.decode(Int.self) { #expect(version == 999) }
        }
    }

    @Test func aMissingDatabaseAWrongRoleAndAClosedPortNameTheServerAndTheCause() async throws {
        var missing = try TestPostgres.serverURL()
        missing.database = "porter_fleet_no_such_database"
        try await expectConnectionFailure(missing, mentioning: "does not exist")
        var stranger = try TestPostgres.serverURL()
        stranger.user = "porter_fleet_no_such_role"
        stranger.password = "s3cret-password"
        try await expectConnectionFailure(stranger, mentioning: "porter_fleet_no_such_role")
        var closed = try TestPostgres.serverURL()
        closed.port = 1
        try await expectConnectionFailure(closed, mentioning: "connection refused")
    }

    private func expectConnectionFailure(_ url: PostgresStoreURL, mentioning cause: String) async throws {
        do {
            _ = try await PostgresFleetStore(url: url)
            Issue.record("opened \(url)")
        } catch {
            guard case .connectionFailed(let location, let detail) = error else { Issue.record("unexpected \(error)"); return }
            #expect(location.contains("\(url.host):\(url.port)") && detail.contains(cause), "\(location): \(detail)")
            #expect(!location.contains("s3cret") && !detail.contains("s3cret"), "the password never shows")
        }
    }

    static let logger = Logger(label: "test")
}

/// The URL forms `--db` and `PORTER_FLEET_DB` take, and where the password comes from.
@Suite("PostgreSQL URLs")
struct PostgresStoreURLTests {
    @Test func theURLIsParsedAndPrintedWithItsPasswordMasked() throws {
        let url = try PostgresStoreURL(parsing: "postgresql://fleet:p%40ss@db.example.com:6543/fleets?sslmode=require", environment: [:])
        #expect(url.host == "db.example.com" && url.port == 6543 && url.user == "fleet" && url.password == "p@ss" && url.database == "fleets")
        #expect(url.sslMode == .require)
        #expect(url.description == "postgres://fleet:***@db.example.com:6543/fleets?sslmode=require")
        let defaults = try PostgresStoreURL(parsing: "postgres://fleet@localhost", environment: [:])
        #expect(defaults.port == 5432 && defaults.database == "fleet" && defaults.sslMode == .prefer && defaults.password == nil)
    }

    @Test func thePasswordComesFromPGPASSWORDThenAPassfile() throws {
        let fromEnvironment = try PostgresStoreURL(parsing: "postgres://fleet@db/fleets", environment: ["PGPASSWORD": "from-env"])
        #expect(fromEnvironment.password == "from-env" && !fromEnvironment.description.contains("from-env"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try "# comment\nother:*:*:*:wrong\ndb:5432:fleets:fleet:pa\\:ss\n*:*:*:*:fallback\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let fromFile = try PostgresStoreURL(parsing: "postgres://fleet@db/fleets", environment: ["PGPASSFILE": file.path])
        #expect(fromFile.password == "pa:ss")
        let fromParameter = try PostgresStoreURL(parsing: "postgres://admin@elsewhere/x?passfile=\(file.path)", environment: [:])
        #expect(fromParameter.password == "fallback")
    }

    @Test func badURLsAreRefusedByName() {
        #expect(throws: PostgresURLError.invalidSSLMode("sometimes")) { try PostgresStoreURL(parsing: "postgres://u@h/d?sslmode=sometimes", environment: [:]) }
        #expect(throws: PostgresURLError.unknownParameter("colour")) { try PostgresStoreURL(parsing: "postgres://u@h/d?colour=blue", environment: [:]) }
        #expect(throws: PostgresURLError.missingHost) { try PostgresStoreURL(parsing: "postgres:///d", environment: [:]) }
        #expect(PostgresStoreURL.scheme(of: "mysql://u@h/d") == "mysql")
        #expect(PostgresStoreURL.scheme(of: "./fleet.db") == nil && PostgresStoreURL.scheme(of: "/data/a://b.db") == nil)
    }
}
