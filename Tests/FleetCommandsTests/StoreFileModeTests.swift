import FleetStoreSQLite
import Foundation
import Testing

/// The store holds environment values: its files are its owner's alone, whatever the umask.
@Suite("Store file modes")
struct StoreFileModeTests {
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Runs the porter-fleet executable in `directory` under umask 000, so that nothing but the modes
    /// porter-fleet asks for protects the files.
    static func runWithOpenUmask(_ arguments: [String], in directory: URL) async throws -> Int32 {
        try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask 000; exec \"$0\" \"$@\"", CLIHarness.binary.path] + arguments
            process.currentDirectoryURL = directory
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test func aNewStoreAndItsDirectoryAreTheOwnersAlone() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        try cli.write("api.yaml", sandboxManifest("api", extra: "  env: {DB_PASSWORD: hunter2}\n"))
        #expect(try await Self.runWithOpenUmask(["apply", "-f", "api.yaml"], in: cli.directory) == 0)
        let store = cli.directory.appendingPathComponent(".porter-fleet").path
        #expect(Self.mode(store) == 0o700, "the directory: \(String(Self.mode(store) ?? 0, radix: 8))")
        let database = store + "/fleet.db"
        // With a connection open, SQLite keeps its -wal and -shm files beside the database.
        let open = try SQLiteFleetStore(path: database, create: false)
        _ = try open.revision()
        for file in [database, database + "-wal", database + "-shm", database + ".lock"] {
            #expect(Self.mode(file) == 0o600, "\(file): \(String(Self.mode(file) ?? 0, radix: 8))")
        }
        #expect(Self.mode(database + "-wal") != nil && Self.mode(database + "-shm") != nil)
    }

    @Test func anExistingStoreReadableByOthersIsTightenedOnOpen() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("api.yaml", sandboxManifest("api"))).code == 0)
        for file in [cli.database, cli.database + ".lock"] { chmod(file, 0o644) }
        #expect(Self.mode(cli.database) == 0o644)
        #expect(await cli.run("get").code == 0)
        #expect(Self.mode(cli.database) == 0o600 && Self.mode(cli.database + ".lock") == 0o600)
    }

    /// `--db` naming a FIFO once hung forever (SQLite opened it and waited for a writer) and left
    /// `FIFO.lock` behind; a directory, FIFO or device is refused at once, with nothing made beside it.
    @Test func aStorePathThatIsNotARegularFileIsRefusedAtOnce() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let fifo = cli.directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let folder = cli.directory.appendingPathComponent("folder").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        for (path, kind) in [(fifo, "a FIFO (named pipe)"), (folder, "a directory"), ("/dev/null", "a character device")] {
            let started = ContinuousClock.now
            let result = await cli.run(["get", "--db", path])
            #expect(result.code == 1 && result.err.contains("it is \(kind), not a store file"), "\(path): \(result.err)")
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(!FileManager.default.fileExists(atPath: path + ".lock"), "no lock file beside \(path)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path).sorted() == ["fifo", "folder"])
    }
}

/// Values printed by the CLI cannot drive the terminal: a manifest's escape sequences (clear screen, window
/// title) come out escaped in every table and text output, and JSON stays valid.
@Suite("Control characters in output")
struct ControlCharacterOutputTests {
    @Test func escapeSequencesInValuesAreEscaped() async throws {
        let cli = try CLIHarness()
        defer { cli.remove() }
        let image = #"evil\e[2J\e]0;owned\u0007\u009b31m\x7f"#
        let manifest = "apiVersion: porter-fleet/v1\nkind: Sandbox\nname: api\nspec:\n  image: \"\(image)\"\n  command: [sleep, infinity]\n"
        let file = try cli.write("api.yaml", manifest)
        #expect(await cli.run("apply", "-f", file).code == 0)
        let shown = [
            await cli.run("get").out, await cli.run("get", "-o", "wide").out, await cli.run("get", "-o", "json").out,
            await cli.run("diff", "-f", try cli.write("b.yaml", manifest.replacingOccurrences(of: "evil", with: "vile"))).out,
        ]
        for text in shown {
            #expect(!text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F..<0xA0).contains($0.value) }, "\(text.debugDescription)")
        }
        #expect(shown[0].contains(#"evil\u001b[2J\u001b]0;owned\u0007\u009b31m\u007f"#), "\(shown[0])")
        let json = try JSONSerialization.jsonObject(with: Data(shown[2].utf8)) as? [String: Any]
        let spec = ((json?["items"] as? [[String: Any]])?.first?["spec"]) as? [String: Any]
        #expect(spec?["image"] as? String == "evil\u{1B}[2J\u{1B}]0;owned\u{07}\u{9B}31m\u{7F}", "JSON keeps the value: \(shown[2])")
        #expect(await cli.export().contains(#"\e[2J"#), "export keeps the value, YAML-escaped")
    }
}
