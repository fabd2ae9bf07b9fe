import Foundation
import PorterSandbox
import WireFormats

/// Settings of the simulated runtime.
public struct SimulatedRuntimeConfiguration: Sendable, Equatable {
    /// Time from `queued` to `creating`.
    public var queuedDelay: Duration = .milliseconds(25)
    /// Time from `creating` to `running`.
    public var creatingDelay: Duration = .milliseconds(25)
    /// Every sandbox exits on its own after this long running, when set.
    public var exitAfter: Duration?
    /// The exit code of those exits.
    public var exitCode: Int64 = 0
    /// What every exec answers.
    public var execExitCode: Int64 = 0
    /// The stdout every exec answers.
    public var execStdout: String = ""

    /// The default: about 50 ms from queued to running, no exits, exec answers 0 with empty output.
    public init() {}
}

/// Runs no processes: a sandbox becomes `running` after the configured delays and runs until it is
/// terminated, its TTL ends, or a configured exit. A sandbox's env can set its own exit with
/// `PORTER_SIMULATED_EXIT_AFTER` (a duration such as `2s` or `150ms`) and `PORTER_SIMULATED_EXIT_CODE`.
struct SimulatedRuntime: SandboxRuntime {
    let configuration: SimulatedRuntimeConfiguration

    var kind: LocalRuntimeKind { .simulated }
    var isolationWarning: String? { nil }
    var isolationSummary: String { "simulated: no workload runs" }
    var fileOwner: SandboxUser? { nil }
    var survivesRestart: Bool { true }

    func launch(_ sandbox: LocalSandbox, mounts: [String: URL], hooks: RuntimeHooks) async -> LaunchOutcome {
        let env = sandbox.spec.env?.additionalProperties ?? [:]
        var exit = configuration.exitAfter.map { SimulatedExit(after: $0, code: configuration.exitCode) }
        if let after = env["PORTER_SIMULATED_EXIT_AFTER"].flatMap({ try? GoDuration.parse($0) }) {
            exit = SimulatedExit(after: after, code: env["PORTER_SIMULATED_EXIT_CODE"].flatMap { Int64($0) } ?? 0)
        }
        return .runningAfter(configuration.creatingDelay, exit: exit)
    }

    func stop(id: String) async {}

    func exec(_ command: [String], in sandbox: LocalSandbox, mounts: [String: URL], execID: String, hooks: RuntimeHooks) async throws
        -> ExecResult
    {
        if !configuration.execStdout.isEmpty {
            for line in configuration.execStdout.split(separator: "\n", omittingEmptySubsequences: false) {
                hooks.log(String(line), .info, execID)
            }
        }
        return ExecResult(stdout: configuration.execStdout, stderr: "", exitCode: configuration.execExitCode, execId: execID)
    }

    func stopAll() async -> [String] { [] }
}
