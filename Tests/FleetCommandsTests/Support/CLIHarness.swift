import FleetCommands
import FleetStore
import Foundation
import LocalSandboxAPI
import Logging

/// Runs porter-fleet commands in-process against a real SQLite store in a fresh directory.
struct CLIHarness {
    let directory: URL
    var database: String { directory.appendingPathComponent("fleet.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// The result of one command.
    struct Result {
        var code: Int32
        var out: String
        var err: String
    }

    /// Runs `porter-fleet <command> --db <store> <arguments...>`.
    func run(_ command: String, _ arguments: String..., store: Bool = true) async -> Result {
        await run([command] + (store ? ["--db", database] : []) + arguments)
    }

    /// Runs a whole command line.
    func run(_ arguments: [String]) async -> Result {
        let captured = CapturedOutput()
        let code = await PorterFleetCommand.execute(arguments, output: captured.output)
        return Result(code: code, out: captured.standardOutput, err: captured.standardError)
    }

    /// Writes a file in the harness directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The store's whole desired state as manifests.
    func export() async -> String { await run("export").out }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// The `porter-fleet` executable that `swift build` puts next to the tests, for tests that need
    /// real processes.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("porter-fleet")
    }

    /// A fixture's path.
    static func fixture(_ path: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(path).path
    }
}

/// A manifest of one sandbox.
func sandboxManifest(_ name: String, image: String = "python:3.12-slim", extra: String = "") -> String {
    """
    apiVersion: porter-fleet/v1
    kind: Sandbox
    name: \(name)
    spec:
      image: \(image)
      command: ["sleep", "infinity"]
    \(extra)
    """
}

extension CLIHarness {
    /// Starts a local Sandbox API on a free port with its data in this harness's directory: the
    /// simulated runtime with short delays and no logs unless `configure` says otherwise.
    func startLocalAPI(_ configure: (inout LocalAPIConfiguration) -> Void = { _ in }) async throws -> RunningLocalAPI {
        var configuration = LocalAPIConfiguration(dataDirectory: directory.appendingPathComponent("local").path)
        configuration.port = 0
        configuration.runtime = .simulated
        configuration.simulated.queuedDelay = .milliseconds(5)
        configuration.simulated.creatingDelay = .milliseconds(5)
        configuration.logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        configure(&configuration)
        return try await RunningLocalAPI.start(configuration: configuration)
    }
}
