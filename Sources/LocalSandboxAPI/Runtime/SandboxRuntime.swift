import Foundation
import PorterSandbox

/// What runs sandboxes for the local Sandbox API: host processes or a simulation.
protocol SandboxRuntime: Sendable {
    /// `process` or `simulated`.
    var kind: LocalRuntimeKind { get }
    /// Isolation that is missing on this machine, stated at start-up and in `/readyz`; nil when complete.
    var isolationWarning: String? { get }
    /// The isolation in force, in one sentence, for `/readyz` and `doctor`.
    var isolationSummary: String { get }
    /// Who must own what the server writes into volumes so sandboxes can change it; nil when
    /// sandboxes run as the server's own user.
    var fileOwner: SandboxUser? { get }
    /// Starts a sandbox whose phase just became `creating`.
    func launch(_ sandbox: LocalSandbox, mounts: [String: URL], hooks: RuntimeHooks) async -> LaunchOutcome
    /// Stops a sandbox's workload (SIGTERM, then SIGKILL after the grace period); nothing for a simulation.
    func stop(id: String) async
    /// Runs a command in a running sandbox and waits for it.
    func exec(_ command: [String], in sandbox: LocalSandbox, mounts: [String: URL], execID: String, hooks: RuntimeHooks) async throws
        -> ExecResult
    /// Stops every workload, on shutdown; returns the ids that were still running.
    func stopAll() async -> [String]
    /// Whether the runtime keeps sandboxes alive across a server restart (a simulation does; processes die).
    var survivesRestart: Bool { get }
}

/// How a launch went.
enum LaunchOutcome: Sendable {
    /// The workload runs now.
    case running
    /// The workload will be running after a delay, and may exit on its own later (simulation).
    case runningAfter(Duration, exit: SimulatedExit?)
    /// The workload could not be started.
    case failed(String)
}

/// A simulated sandbox's own exit: after how long it exits, and with which code.
struct SimulatedExit: Sendable, Equatable {
    var after: Duration
    var code: Int64
}

/// Callbacks from a runtime into the engine: log lines and the workload's exit.
struct RuntimeHooks: Sendable {
    /// A line of output (stdout → info, stderr → error), with the exec id or "" for the workload.
    let log: @Sendable (_ line: String, _ level: Components.Schemas.LogLineLevel, _ execID: String) -> Void
    /// The workload exited with this code.
    let exited: @Sendable (_ code: Int64) async -> Void
}

/// The kind of runtime the local Sandbox API uses.
public enum LocalRuntimeKind: String, Sendable, CaseIterable, Codable {
    /// Each sandbox is a supervised host process, isolated with bubblewrap when it is installed.
    case process
    /// No processes: phases advance on configurable delays, for scale tests.
    case simulated
}
