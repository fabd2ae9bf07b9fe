import Foundation

/// How process sandboxes are isolated from the host, decided once when the runtime starts (and
/// reported by `porter-fleet doctor`).
public enum ProcessIsolation: Sendable, Equatable {
    /// bubblewrap: new user, mount, pid, ipc, uts and cgroup namespaces, no capabilities, no new
    /// privileges, a new session; run as `user` (via `setpriv`) when the server is root.
    case bubblewrap(executable: String, setpriv: String?, user: SandboxUser?)
    /// Plain host processes; `reason` says why, and is stated at start-up and in `/readyz`.
    case none(reason: String)
    /// Isolation was asked for but cannot be had safely; every launch fails with `reason`.
    case refused(reason: String)

    /// The isolation this machine allows.
    ///
    /// - Parameters:
    ///   - wanted: whether bubblewrap should be used when it is installed.
    ///   - user: who sandboxes run as when the server runs as root.
    public static func detect(wanted: Bool, user: SandboxUser, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ProcessIsolation
    {
        guard wanted else {
            return .none(reason: "bubblewrap is turned off: process sandboxes run as plain host processes as the server's own user, with no namespaces, and the host filesystem is writable to them")
        }
        guard let bwrap = locate("bwrap", environment: environment) else {
            return .none(reason: "bubblewrap (bwrap) is not installed: process sandboxes run as plain host processes with no mount or pid namespace, the host filesystem is writable to them, and volumes are not bound at their mount paths (install the bubblewrap package)")
        }
        let setpriv = locate("setpriv", environment: environment)
        guard geteuid() == 0 else { return .bubblewrap(executable: bwrap, setpriv: setpriv, user: nil) }
        guard let setpriv else {
            return .refused(reason: "the server runs as root and setpriv (util-linux) is not installed, so sandboxes cannot be run as an unprivileged user; install util-linux or run the server as another user")
        }
        return .bubblewrap(executable: bwrap, setpriv: setpriv, user: user)
    }

    /// This isolation after a trial run of `true` inside it: bubblewrap installed on a kernel that
    /// forbids unprivileged user namespaces (or a container that forbids mounts) is `refused`, with
    /// bubblewrap's own words, instead of failing every launch later.
    public func verified() -> ProcessIsolation {
        guard case .bubblewrap(let executable, let setpriv, let user) = self else { return self }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-isolation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let work = scratch.appendingPathComponent("work")
        let tmp = scratch.appendingPathComponent("tmp")
        do {
            for url in [work, tmp] { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
            for url in [work, tmp] { try user?.own(url.path) }
        } catch {
            return .refused(reason: "could not prepare a trial sandbox: \(error)")
        }
        let command = BubblewrapCommand(
            executable: executable, setpriv: setpriv, user: user, hostname: "trial", sandboxDirectory: work.path, tmpDirectory: tmp.path,
            mounts: [:])
        let arguments = command.arguments(for: ["true"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try ProcessSpawner.shared.runWaiting(process)
        } catch {
            return .refused(reason: "could not run \(arguments[0]): \(error)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let detail = message.trimmingCharacters(in: .whitespacesAndNewlines)
            return .refused(reason: "bubblewrap cannot isolate sandboxes here (\(detail.isEmpty ? "exit \(process.terminationStatus)" : detail)); unprivileged user namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0)")
        }
        return self
    }

    /// The user sandboxes run as when it differs from the server's own.
    var user: SandboxUser? {
        if case .bubblewrap(_, _, let user) = self { return user }
        return nil
    }

    /// What is in force, in one sentence, for `/readyz` and `doctor`.
    public var summary: String {
        switch self {
        case .bubblewrap(_, _, let user):
            let who = user.map { "uid \($0.uid), gid \($0.gid)" } ?? "the server's own uid"
            return "bubblewrap: new user, mount, pid, ipc, uts and cgroup namespaces; no capabilities; no new privileges; runs as \(who)"
        case .none(let reason), .refused(let reason):
            return reason
        }
    }

    /// The warning to state loudly, nil when isolation is complete.
    public var warning: String? {
        switch self {
        case .bubblewrap: nil
        case .none(let reason), .refused(let reason): reason
        }
    }

    static func locate(_ name: String, environment: [String: String]) -> String? {
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/bin", "/bin"] {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
