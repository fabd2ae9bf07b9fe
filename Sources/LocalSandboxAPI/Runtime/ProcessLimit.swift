import Foundation

/// The most processes one sandbox may have at once, enforced by a `pids` cgroup of its own: a fork
/// bomb in one sandbox stops at the limit and leaves the host and the other sandboxes alone.
///
/// The cgroup is `porter-fleet/<sandbox id>` under the pids hierarchy (cgroup v1's
/// `/sys/fs/cgroup/pids`, or cgroup v2 with the pids controller enabled), made when the sandbox starts
/// and removed when it ends. The launcher moves itself into it before it starts bubblewrap, so
/// every process of the sandbox is counted from the first.
public struct ProcessLimit: Sendable, Equatable {
    /// The folder holding one cgroup per sandbox.
    let base: URL
    /// The most processes (and threads) of one sandbox.
    public let maximum: Int

    /// The limit this machine can enforce, or nil (with the reason) when no pids cgroup can be made.
    public static func detect(maximum: Int) -> Result<ProcessLimit, Unavailable> {
        guard geteuid() == 0 else { return .failure(Unavailable(reason: "the server does not run as root, so it cannot make cgroups")) }
        let v1 = URL(fileURLWithPath: "/sys/fs/cgroup/pids")
        let v2 = URL(fileURLWithPath: "/sys/fs/cgroup")
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: v1.appendingPathComponent("cgroup.procs").path) {
            return prepare(base: v1.appendingPathComponent("porter-fleet"), enable: nil, maximum: maximum)
        }
        if let controllers = try? String(contentsOf: v2.appendingPathComponent("cgroup.controllers"), encoding: .utf8),
            controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "pids" })
        {
            return prepare(base: v2.appendingPathComponent("porter-fleet"), enable: v2, maximum: maximum)
        }
        return .failure(Unavailable(reason: "no pids cgroup controller is mounted"))
    }

    /// Why no limit is in force.
    public struct Unavailable: Error, Sendable, Equatable {
        /// In words.
        public let reason: String
    }

    private static func prepare(base: URL, enable parent: URL?, maximum: Int) -> Result<ProcessLimit, Unavailable> {
        do {
            if let parent { try "+pids".write(to: parent.appendingPathComponent("cgroup.subtree_control"), atomically: false, encoding: .utf8) }
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            if parent != nil { try "+pids".write(to: base.appendingPathComponent("cgroup.subtree_control"), atomically: false, encoding: .utf8) }
            return .success(ProcessLimit(base: base, maximum: maximum))
        } catch {
            return .failure(Unavailable(reason: "could not make a pids cgroup at \(base.path): \(error.localizedDescription)"))
        }
    }

    /// Makes the cgroup of one sandbox with its limit; returns its `cgroup.procs` file.
    func makeGroup(for id: String) throws -> String {
        let group = base.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: group, withIntermediateDirectories: true)
        try "\(maximum)".write(to: group.appendingPathComponent("pids.max"), atomically: false, encoding: .utf8)
        return group.appendingPathComponent("cgroup.procs").path
    }

    /// Removes the cgroup of a sandbox once its processes have all ended: the rest of a pid namespace dies
    /// just after its first process, so a group still busy is tried again for a few seconds.
    func removeGroup(for id: String) {
        let path = base.appendingPathComponent(id).path
        guard rmdir(path) != 0, errno == EBUSY else { return }
        Task {
            for _ in 0..<50 {
                try? await Task.sleep(for: .milliseconds(100))
                if rmdir(path) == 0 || errno != EBUSY { return }
            }
        }
    }

    /// Removes the groups of sandboxes a previous run of the server left (it was killed): every group
    /// under ``base`` with no process left.
    func removeStaleGroups() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? [] {
            let group = base.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: group.path, isDirectory: &isDirectory), isDirectory.boolValue { rmdir(group.path) }
        }
    }
}
