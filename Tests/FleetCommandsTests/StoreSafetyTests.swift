import Foundation
import Testing

/// Stores that are not ours, damaged or out of reach: a clear error, and the file left as it was.
@Suite("Bad input: stores that are not ours")
struct StoreSafetyTests {
    /// Runs a few lines of Python's sqlite3 on `database` (a real SQLite, not ours) and returns its output.
    @discardableResult
    static func sqlite(_ database: String, _ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\n" + script + "\ndb.commit()\ndb.close()", database]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLIHarnessError(message: "python3 sqlite3 failed") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test(arguments: [
        ("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@example.com');", "users"),
        ("CREATE TABLE desired_resource (x TEXT); INSERT INTO desired_resource VALUES ('theirs');", "desired_resource"),
        ("PRAGMA application_id = 42; CREATE TABLE t (x);", "application id is 0x0000002A"),
    ])
    func anotherApplicationsDatabaseIsRefusedAndUntouched(_ schema: String, _ named: String) async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let foreign = cli.directory.appendingPathComponent("app.db").path
        try Self.sqlite(foreign, "db.executescript(\"\"\"\(schema)\"\"\")")
        let before = try Self.bytes(foreign)
        let manifest = try cli.write("a.yaml", sandboxManifest("a"))
        for arguments in [["apply", "--db", foreign, "-f", manifest], ["get", "--db", foreign]] {
            let result = await cli.run(arguments)
            #expect(result.code == 1, "\(arguments)")
            #expect(result.err.contains("is not a porter-fleet store") && result.err.contains(named) && result.err.contains("left untouched"), "err: \(result.err)")
        }
        #expect(try Self.bytes(foreign) == before, "the file is byte for byte as it was")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).filter { $0.hasPrefix("app.db") }
        #expect(leftovers == ["app.db"], "no lock, journal or migrations left behind: \(leftovers)")
        #expect(try Self.sqlite(foreign, "print(db.execute(\"SELECT count(*) FROM sqlite_master WHERE name = 'grdb_migrations'\").fetchone()[0])") == "0")
    }

    @Test func storesCarryTheirMarkerAndSchemaVersion() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let marker = try Self.sqlite(cli.database, "print(db.execute('PRAGMA application_id').fetchone()[0], db.execute('PRAGMA user_version').fetchone()[0])")
        #expect(marker == "\(0x5046_4C54) 7")
        try Self.sqlite(cli.database, "db.execute('PRAGMA application_id = 0')")
        #expect(await cli.run("get").code == 0, "a store from before the marker is still ours (it holds our migrations)")
        #expect(try Self.sqlite(cli.database, "print(db.execute('PRAGMA application_id').fetchone()[0])") == "\(0x5046_4C54)", "and is marked now")
        // A store of schema 2 (before retained volumes were remembered and specs recorded) is migrated on open.
        try Self.sqlite(
            cli.database,
            "db.execute('ALTER TABLE owned_volume DROP COLUMN retained_at')\ndb.execute('DROP TABLE sandbox_spec')\ndb.execute('ALTER TABLE logical_status DROP COLUMN failing_spec_hash')\ndb.execute('ALTER TABLE event DROP COLUMN object')\ndb.execute(\"DELETE FROM grdb_migrations WHERE identifier IN ('v3: retained volumes', 'v4: recorded specs', 'v5: hide recorded environment values', 'v6: failing spec hash', 'v7: event objects')\")\ndb.execute('PRAGMA user_version = 2')")
        #expect(await cli.run("get").code == 0)
        #expect(try Self.sqlite(cli.database, "print(db.execute('PRAGMA user_version').fetchone()[0], len([r for r in db.execute('PRAGMA table_info(owned_volume)') if r[1] == 'retained_at']), len(db.execute('PRAGMA table_info(sandbox_spec)').fetchall()), len([r for r in db.execute('PRAGMA table_info(logical_status)') if r[1] == 'failing_spec_hash']))") == "7 1 3 1")
    }

    @Test func aDamagedStoreRefusesWritesButCanBeExported() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let manifests = (0..<40).map { sandboxManifest("s\($0)") }.joined(separator: "\n---\n")
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", manifests)).code == 0)
        // Damage the page of an index that exporting does not read.
        let layout = try Self.sqlite(
            cli.database,
            "db.execute('PRAGMA wal_checkpoint(TRUNCATE)')\nprint(db.execute('PRAGMA page_size').fetchone()[0], db.execute(\"SELECT rootpage FROM sqlite_master WHERE name = 'desired_resource_by_source'\").fetchone()[0])")
        let numbers = layout.split(separator: " ").compactMap { Int($0) }
        try #require(numbers.count == 2)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: cli.database))
        try handle.seek(toOffset: UInt64((numbers[1] - 1) * numbers[0]))
        try handle.write(contentsOf: Data(repeating: 0x55, count: 64))
        try handle.close()
        let damaged = try Self.bytes(cli.database)

        let apply = await cli.run("apply", "-f", try cli.write("b.yaml", sandboxManifest("b")))
        #expect(apply.code == 1 && apply.err.contains("is damaged") && apply.err.contains("export"), "\(apply.err)")
        #expect(try Self.bytes(cli.database) == damaged, "nothing was written")
        let export = await cli.run("export")
        #expect(export.code == 0, "\(export.err)")
        #expect(export.out.contains("name: s39"), "what is left can be saved")
    }

    @Test func aMissingDirectoryIsNotCreated() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let path = cli.directory.appendingPathComponent("no/such/dir/fleet.db").path
        let result = await cli.run(["apply", "--db", path, "-f", try cli.write("a.yaml", sandboxManifest("a"))])
        #expect(result.code == 1 && result.err.contains("does not exist"), "\(result.err)")
        #expect(!FileManager.default.fileExists(atPath: cli.directory.appendingPathComponent("no").path))
    }

    /// Root can write anything, so the read-only case runs the real binary as `nobody`.
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv to act as another user"))
    func aReadOnlyStoreSaysSo() async throws {
        let binary = CLIHarness.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        let manifest = try cli.write("a.yaml", sandboxManifest("a"))
        #expect(await cli.run("apply", "-f", manifest).code == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: cli.directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: manifest)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", binary.path, "apply", "--db", cli.database, "-f", manifest]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = try await offThePool {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return message
        }
        #expect(process.terminationStatus == 1)
        #expect(message.contains("cannot be written") && !message.contains("SQLite error"), "\(message)")
    }
}

struct CLIHarnessError: Error {
    var message: String
}
