import ArgumentParser
import Foundation
import PorterSandbox

/// `porter-fleet exec NAME -- CMD...`: run a command in the current generation of a logical sandbox.
struct ExecCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in the running generation of a logical sandbox.",
        discussion: "Prints the command's stdout and stderr and exits with its exit code."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions

    @Option(help: "Give up after this long, e.g. 30s (default: no limit).")
    var timeout: String?

    @Argument(help: "The logical name (e.g. api, agent-3).")
    var name: String

    @Argument(parsing: .postTerminator, help: "The command after '--'.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the command after '--': porter-fleet exec \(name) -- CMD...") }
        if let timeout { _ = try DurationFlag.parse(timeout, flag: "--timeout", example: "30s") }
    }

    func run() async throws {
        let fleet = try await store.open(create: false).settings().fleetID
        let result = try await backend.withPorter(logger: store.logging.logger()) { porter in
            let sandbox = try await SandboxResolver.current(name, fleet: fleet, porter: porter, runningOnly: true)
            return try await sandbox.exec(command, timeout: try timeout.map { try DurationFlag.parse($0, flag: "--timeout", example: "30s") })
        }
        let out = CommandOutput.current
        out.raw(result.stdout)
        if !result.stderr.isEmpty { out.error(result.stderr.hasSuffix("\n") ? String(result.stderr.dropLast()) : result.stderr) }
        if result.exitCode != 0 { throw ExitCode(Int32(truncatingIfNeeded: result.exitCode)) }
    }
}
