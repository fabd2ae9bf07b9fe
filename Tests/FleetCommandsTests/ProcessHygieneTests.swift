import Foundation
import LocalSandboxAPI
import Testing

/// What a user sees at the edges: a closed output pipe, a port already taken. Real processes, since
/// these are about how the process ends.
@Suite("Process hygiene")
struct ProcessHygieneTests {
    struct Ended {
        /// The exit status, or the signal's number when a signal ended the process.
        var status: Int32
        var bySignal = false
        var stderr: String
        var seconds: Double
        var stdout = ""
    }

    /// Runs the binary with `arguments`; with `closedStdout`, its standard output is a pipe whose
    /// reading end is already closed (as with `| head -1` once head has read its line).
    static func run(_ arguments: [String], closedStdout: Bool = false, environment: [String: String] = [:]) async throws -> Ended {
        try await offThePool { try runBlocking(arguments, closedStdout: closedStdout, environment: environment) }
    }

    private static func runBlocking(_ arguments: [String], closedStdout: Bool, environment: [String: String]) throws -> Ended {
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for name in ["PORTER_SANDBOX_BASE_URL", "PORTER_CLUSTER_ID", "KUBERNETES_SERVICE_HOST", "PORTER_SANDBOX_API_KEY"] { env[name] = nil }
        process.environment = env.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        if closedStdout { try output.fileHandleForReading.close() }
        let started = Date()
        try process.run()
        let stdout = closedStdout ? Data() : output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Ended(
            status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal, stderr: String(decoding: stderr, as: UTF8.self),
            seconds: Date().timeIntervalSince(started), stdout: String(decoding: stdout, as: UTF8.self))
    }

    @Test func outputToAClosedPipeEndsQuietly() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        let manifests = (0..<200).map { sandboxManifest("s\($0)") }.joined(separator: "\n---\n")
        #expect(await cli.run("apply", "-f", try cli.write("fleet.yaml", manifests)).code == 0)
        let ended = try await Self.run(["get", "--db", cli.database], closedStdout: true)
        // Killed by SIGPIPE (what a shell reports as 141) when it is not ignored, else exit 141 after EPIPE.
        let quiet = ended.bySignal ? ended.status == SIGPIPE : ended.status == 141
        #expect(quiet, "exit \(ended.status), signal: \(ended.bySignal)")
        #expect(ended.stderr.isEmpty, "no crash report: \(ended.stderr.prefix(300))")
    }

    @Test(arguments: [
        (["local", "serve", "--runtime", "simulated"], "--listen"),
        (["up", "--local-runtime", "simulated", "--metrics-listen", "off"], "--local-listen"),
        (["run", "--metrics-listen"], "--metrics-listen"),
    ])
    func aTakenPortIsNamedAndEndsTheCommand(_ command: [String], _ option: String) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        let api = try await cli.startLocalAPI()
        let taken = "127.0.0.1:\(api.port)"
        let manifest = try cli.write("fleet.yaml", sandboxManifest("a"))
        let arguments: [String] =
            switch command[0] {
            case "local": command + ["--listen", taken, "--data", cli.directory.appendingPathComponent("serve").path]
            case "up": command + ["--local-listen", taken, "--db", cli.database, "-f", manifest, "--local-data", cli.directory.appendingPathComponent("up").path]
            default: command + [taken, "--db", cli.database, "--api-url", api.baseURL]
            }
        if command[0] == "run" { #expect(await cli.run("apply", "-f", manifest).code == 0) }
        let ended = try await Self.run(arguments)
        #expect(ended.status == 1, "exit \(ended.status): \(ended.stderr.prefix(300))")
        #expect(ended.stderr.contains("cannot listen on \(taken): the address is already in use"), "\(ended.stderr.prefix(300))")
        #expect(ended.stderr.contains("choose another \(option)") && !ended.stderr.contains("Fatal error"))
        #expect(ended.seconds < 10)
        if command[0] == "up" {
            #expect(!FileManager.default.fileExists(atPath: cli.database), "no store created, nothing applied while the API could not start")
        }
        await api.stop()
    }
}

/// The Sandbox API's configuration, reported in the CLI's own terms wherever it is incomplete.
@Suite("API configuration in CLI terms")
struct APIConfigurationTests {
    @Test func aClusterIDWithoutAKeyIsReportedAsSuchEverywhere() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("a"))).code == 0)
        let environment = ["PORTER_CLUSTER_ID": "42"]
        let doctor = try await ProcessHygieneTests.run(["doctor", "--db", cli.database], environment: environment)
        #expect(doctor.status == 1)
        let plan = try await ProcessHygieneTests.run(["plan", "--db", cli.database], environment: environment)
        #expect(plan.status == 1 && plan.stderr.contains("needs an API key: set PORTER_SANDBOX_API_KEY or pass --api-key"), "\(plan.stderr)")
        #expect(!plan.stderr.contains("pass apiKey"), "no SDK parameter names in CLI messages")
        let status = try await ProcessHygieneTests.run(["status", "--db", cli.database], environment: environment)
        #expect(status.status == 0, "status shows what was recorded whatever the API configuration: \(status.stderr)")
    }
}

/// Shell completion offers kinds, then the names of that kind from the store the line names.
@Suite("Shell completion")
struct CompletionTests {
    @Test func kindsThenNamesFromTheStore() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: CLIHarness.binary.path))
        let cli = try CLIHarness()
        defer { cli.remove() }
        let set = "apiVersion: porter-fleet/v1\nkind: SandboxSet\nname: workers\nspec:\n  replicas: 1\n  template: {image: x}\n"
        #expect(await cli.run("apply", "-f", try cli.write("a.yaml", sandboxManifest("api") + "\n---\n" + sandboxManifest("batch") + "\n---\n" + set)).code == 0)
        func complete(_ words: [String], cursor: Int = 0) async throws -> [String] {
            let line = ["porter-fleet"] + words
            let ended = try await ProcessHygieneTests.run(["---completion", "get", "--", "positional@0", String(line.count - 1), String(cursor)] + line)
            return ended.stdout.split(separator: "\n").map(String.init)
        }
        #expect(try await complete(["get", ""]) == ["sandboxes", "sets", "volumes", "all"])
        #expect(try await complete(["get", "--db", cli.database, "sandboxes", ""]).sorted() == ["api", "batch"])
        #expect(try await complete(["get", "--db", cli.database, "sets", ""]) == ["workers"])
        #expect(try await complete(["get", "--db", cli.database, "sandboxes", "b"], cursor: 1) == ["batch"])
        let script = try await ProcessHygieneTests.run(["--generate-completion-script", "bash"]).stdout
        #expect(script.contains("---completion get") && script.contains("---completion delete"))
    }
}
