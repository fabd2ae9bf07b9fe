import Foundation

/// Builds the bubblewrap (`bwrap`) command line that isolates a process sandbox.
///
/// The workload runs in new user, mount, pid, ipc, uts and cgroup namespaces, and, when the server
/// is root, a network namespace of its own (see ``SandboxNetwork``), with every capability dropped,
/// no new privileges (setuid binaries do not elevate), no way to make further user namespaces, its own
/// session (no access to the server's terminal), and it dies with its parent.
///
/// Run by root, it takes two steps, so that paths are resolved with root's access (a data directory
/// under a private home works) while the workload is never root: an outer bubblewrap, as root, builds
/// the mount, pid, ipc, uts and cgroup namespaces and the file system below; then `setpriv` becomes the
/// unprivileged sandbox user with no-new-privileges, and an inner bubblewrap, as that user, adds the user
/// namespace and drops every capability. Run by anyone else, one bubblewrap does it all as that user.
///
/// The sandbox sees: an empty tmpfs `/` with the host's system directories (``systemDirectories``) bound
/// read-only (symlinks such as `/bin` recreated); its own directory read-write at ``workspace`` (the working directory and
/// `HOME`); its own `tmp` directory at `/tmp`; fresh `/dev` (null, zero, full, random, urandom, tty)
/// and `/proc`; the server's data directory covered by an empty tmpfs; each volume read-write (no
/// devices, no setuid) at its absolute mount path. A mount path under a host directory is made possible
/// by turning each of its existing ancestors into a tmpfs that re-binds that directory's other entries
/// read-only, because bubblewrap cannot create a mount point inside a read-only bind; ancestors that do
/// not exist on the host are made world-searchable.
struct BubblewrapCommand {
    /// Where a sandbox sees its own directory.
    static let workspace = "/workspace"

    var executable: String
    /// `setpriv`: sets no-new-privileges, and becomes `user` between the two bubblewraps.
    var setpriv: String?
    /// The unprivileged user the workload runs as, when the server runs as root.
    var user: SandboxUser?
    /// The sandbox's host name (its UTS namespace is its own).
    var hostname: String
    /// The sandbox's own directory on the host, seen at ``workspace``.
    var sandboxDirectory: String
    /// The sandbox's `/tmp` on the host.
    var tmpDirectory: String
    /// Host directory by absolute mount path.
    var mounts: [String: String]
    /// Host directories the sandbox must not see (the server's data directory), covered by a tmpfs.
    var hidden: [String] = []
    /// Whether the sandbox gets a network namespace of its own (the two-step, root form only).
    var unshareNetwork = false
    /// The descriptor bubblewrap reports its child's pid on (`--info-fd`), opened by the launcher.
    var infoDescriptor: Int32?
    /// The descriptor bubblewrap waits on before it runs the workload (`--block-fd`).
    var blockDescriptor: Int32?
    /// The descriptor the bubblewrap that starts the workload reads its environment from (`--args`: NUL-
    /// separated `--clearenv`, `--setenv NAME VALUE`…), opened by the launcher. The environment a request
    /// asks for reaches the workload only: never a process that runs as root or as the server's user
    /// (`LD_PRELOAD` in a sandbox's `env` would otherwise run its code there), and never an argv others can read.
    var environmentDescriptor: Int32?
    var fileManager: FileManager = .default

    /// The whole argv, then the workload's.
    func arguments(for command: [String]) -> [String] {
        guard let user, let setpriv else {
            return noNewPrivileges() + [executable] + environment() + userNamespace(as: nil) + sandbox() + ["--"] + command
        }
        var outer = [executable, "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        if unshareNetwork { outer.append("--unshare-net") }
        if let infoDescriptor { outer += ["--info-fd", "\(infoDescriptor)"] }
        if let blockDescriptor { outer += ["--block-fd", "\(blockDescriptor)"] }
        outer += sandbox() + ["--"]
        let drop = [setpriv, "--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", "--no-new-privs", "--"]
        // `--dev-bind`: the outer bubblewrap's /dev nodes stay usable (a plain bind would make every
        // mount below `/` nodev, and `sh -c 'x > /dev/null'` would fail).
        let inner = [executable] + environment() + userNamespace(as: user) + ["--dev-bind", "/", "/", "--chdir", Self.workspace, "--"]
        return outer + drop + inner + command
    }

    /// `--args FD`, reading the workload's environment, when there is one.
    private func environment() -> [String] {
        environmentDescriptor.map { ["--args", "\($0)"] } ?? []
    }

    /// `setpriv --no-new-privs --`, when setpriv is installed.
    private func noNewPrivileges() -> [String] {
        setpriv.map { [$0, "--no-new-privs", "--"] } ?? []
    }

    /// The user namespace with no capabilities, no nested user namespaces; all other namespaces too
    /// when one bubblewrap does everything.
    private func userNamespace(as user: SandboxUser?) -> [String] {
        var arguments = user == nil ? ["--unshare-all", "--share-net"] : []
        arguments += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
        if let user { arguments += ["--uid", "\(user.uid)", "--gid", "\(user.gid)"] }
        return arguments
    }

    /// Session, host name and the file system the workload sees.
    private func sandbox() -> [String] {
        var arguments = ["--new-session", "--die-with-parent", "--hostname", hostname]
        let expanded = expandedAncestors()
        appendRoot(into: &arguments, expanded: expanded)
        for directory in hidden where isVisible(directory) { arguments += ["--tmpfs", directory] }
        arguments += ["--dev", "/dev", "--proc", "/proc", "--bind", tmpDirectory, "/tmp"]
        arguments += ["--bind", sandboxDirectory, Self.workspace]
        for (path, hostDirectory) in mounts.sorted(by: { $0.key < $1.key }) {
            for ancestor in Self.ancestors(of: path) where !expanded.contains(ancestor) {
                arguments += ["--perms", "0755", "--dir", ancestor]
            }
            arguments += ["--bind", hostDirectory, path]
        }
        return arguments + ["--chdir", Self.workspace]
    }

    /// Whether a host directory shows through the host's top-level directories bound into the
    /// sandbox (one under `/tmp`, `/dev`, `/proc` or `/sys` does not).
    private func isVisible(_ directory: String) -> Bool {
        Self.systemDirectories.contains(Self.top(of: directory)) && fileManager.fileExists(atPath: directory)
    }

    /// `/a`, `/a/b` for `/a/b/c`.
    private static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var ancestor = ""
        for component in path.split(separator: "/").dropLast() {
            ancestor += "/" + component
            result.append(ancestor)
        }
        return result
    }

    /// The host's top-level directories a sandbox sees (read-only): the system's programs, libraries and
    /// configuration, nothing else. Not `/home`, `/root`, `/var`, `/run`, `/srv`, `/mnt` or `/media`, where
    /// users' files and services' Unix sockets live (a socket on a read-only bind still accepts connections).
    static let systemDirectories: Set<String> = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/usr", "/etc", "/opt"]

    /// The top-level directory of an absolute path (`/usr` for `/usr/local/x`).
    private static func top(of path: String) -> String {
        "/" + (path.split(separator: "/").first.map(String.init) ?? "")
    }

    /// Directories on the path to a mount point that exist on the host, under a system directory, and so
    /// must become tmpfs (anywhere else the path is made in the sandbox's own root).
    private func expandedAncestors() -> Set<String> {
        var expanded: Set<String> = ["/"]
        for path in mounts.keys where Self.systemDirectories.contains(Self.top(of: path)) {
            for ancestor in Self.ancestors(of: path) {
                var isDirectory: ObjCBool = false
                let isLink = (try? fileManager.destinationOfSymbolicLink(atPath: ancestor)) != nil
                guard !isLink, fileManager.fileExists(atPath: ancestor, isDirectory: &isDirectory), isDirectory.boolValue else {
                    break
                }
                expanded.insert(ancestor)
            }
        }
        return expanded
    }

    private func appendRoot(into arguments: inout [String], expanded: Set<String>) {
        arguments += ["--tmpfs", "/"]
        appendChildren(of: "/", into: &arguments, expanded: expanded)
    }

    private func appendChildren(of directory: String, into arguments: inout [String], expanded: Set<String>) {
        let skipped: Set<String> = directory == "/" ? ["/proc", "/dev", "/tmp", "/sys", Self.workspace] : []
        let children = ((try? fileManager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in children {
            let child = directory == "/" ? "/" + name : directory + "/" + name
            if skipped.contains(child) || mounts[child] != nil { continue }
            if directory == "/", !Self.systemDirectories.contains(child) { continue }
            if let target = try? fileManager.destinationOfSymbolicLink(atPath: child) {
                arguments += ["--symlink", target, child]
            } else if expanded.contains(child) {
                arguments += ["--tmpfs", child]
                appendChildren(of: child, into: &arguments, expanded: expanded)
            } else {
                arguments += ["--ro-bind", child, child]
            }
        }
    }
}
