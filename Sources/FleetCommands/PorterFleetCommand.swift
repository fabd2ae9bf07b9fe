import Foundation
import ArgumentParser
import PorterSandbox
import FleetModel
import FleetStore

/// The `porter-fleet` command: a reconciling controller for fleets of Porter sandboxes.
public struct PorterFleetCommand: AsyncParsableCommand {
    /// The command's name, abstract, version and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "porter-fleet",
        abstract: "Keep a fleet of Porter sandboxes and volumes converged to a declared desired state.",
        discussion: """
            porter-fleet reads a desired state of sandboxes, sandbox sets and volumes, compares it with \
            what the Porter Sandbox API reports, and creates, replaces, terminates or deletes to converge.
            """,
        version: PorterFleetVersion.current,
        subcommands: [
            ApplyCommand.self, DiffCommand.self, DeleteCommand.self, GetCommand.self, ExportCommand.self, ScaleCommand.self, EditCommand.self,
            SettingsCommand.self, PlanCommand.self, ReconcileCommand.self, RunCommand.self, UpCommand.self, StatusCommand.self,
            EventsCommand.self, GCCommand.self, ExecCommand.self, LogsCommand.self, DashboardCommand.self, StoreCommand.self, DoctorCommand.self,
            ExplainCommand.self, LocalCommand.self, VersionCommand.self, FleetsCommand.self,
        ]
    )

    /// Creates the command (ArgumentParser fills it in).
    public init() {}

    /// Runs the command line and exits with an ``ExitStatus``.
    public static func main() async {
        let code = await execute(Array(CommandLine.arguments.dropFirst()))
        Foundation.exit(code)
    }

    /// Parses and runs `arguments`, writing to `output`; returns the exit code (``ExitStatus``). Errors go
    /// to stderr, one per line.
    public static func execute(_ arguments: [String], output standardOutput: CommandOutput = .standard) async -> Int32 {
        // Under --log-format json the error lines are JSON log lines too, like every other line on stderr.
        let output = ErrorLines.jsonRequested(arguments) ? ErrorLines.json(standardOutput) : standardOutput
        return await CommandOutput.$current.withValue(output) {
            if let verb = GlobalOptions.unknownVerb(arguments, root: Self.self) {
                output.error(unknownCommandMessage(verb))
                return ExitStatus.usage
            }
            if let (verb, option) = GlobalOptions.undeclaredOption(arguments, root: Self.self) {
                output.error("'\(verb)' does not take \(option) (see 'porter-fleet \(verb) --help')")
                return ExitStatus.usage
            }
            do {
                var command = try parseAsRoot(GlobalOptions.reorder(arguments, root: Self.self))
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
                return 0
            } catch let exit as ExitCode {
                return exit.rawValue
            } catch let failure as CommandFailure {
                for line in failure.lines { output.error(line) }
                return 1
            } catch let error as FleetStoreError {
                for line in error.lines { output.error(line) }
                return 1
            } catch let error as PorterError {
                output.error(error.kind == .transport || error.kind == .timeout ? error.message : error.description)
                return 1
            } catch {
                let code = exitCode(for: error)
                if code == .success {
                    output.line(fullMessage(for: error))
                    return 0
                }
                let message = fullMessage(for: error)
                if code == .validationFailure {
                    output.error(message)
                    return ExitStatus.usage
                }
                output.error(message.isEmpty ? "\(error)" : message)
                return 1
            }
        }
    }

    /// Names the unknown verb, suggests the nearest command and lists them all.
    static func unknownCommandMessage(_ verb: String) -> String {
        let commands: [String] = configuration.subcommands.compactMap { command in command.configuration.commandName }
        let hint = NameSuggestion.hint(for: verb, in: commands)
        return "unknown command '" + verb + "'" + hint + "; the commands are " + commands.joined(separator: ", ") + " (see 'porter-fleet --help')"
    }
}
