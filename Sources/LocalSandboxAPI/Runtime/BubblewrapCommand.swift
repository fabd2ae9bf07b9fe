import Foundation

/// Builds the bubblewrap (`bwrap`) command line that isolates a process sandbox.
///
/// The sandbox runs in new user, mount, pid, ipc, uts and cgroup namespaces (the network is the
/// host's, so sandboxes can serve their ports and reach the network), with every capability dropped,
/// no new privileges (setuid binaries do not elevate), its own session (no access to the server's
/// terminal), and it dies with its parent. When the server runs as root, `setpriv` first becomes the
/// unprivileged sandbox user, so the sandbox is that user on the host too, not root in disguise.
///
/// The sandbox sees: an empty tmpfs `/` with the host's top-level directories bound read-only (symlinks
/// such as `/bin` recreated); its own directory read-write at its own path (the working directory); its
/// own `tmp` directory at `/tmp`; fresh `/dev` and `/proc`; each volume read-write (no devices, no
/// setuid) at its absolute mount path. A mount path under a host directory is made possible by turning
/// each of its existing ancestors into a tmpfs that re-binds that directory's other entries read-only,
/// because bubblewrap cannot create a mount point inside a read-only bind.
struct BubblewrapCommand {
    var executable: String
    /// `setpriv`, to set no-new-privileges before bubblewrap starts (and become `user`).
    var setpriv: String?
    /// The unprivileged user to become first, when the server runs as root.
    var user: SandboxUser?
    /// The sandbox's host name (its UTS namespace is its own).
    var hostname: String
    var sandboxDirectory: String
    var tmpDirectory: String
    /// Host directory by absolute mount path.
    var mounts: [String: String]
    var fileManager: FileManager = .default

    /// The whole argv: `setpriv` and its options, `bwrap`, its options, `--`, then the workload's argv.
    func arguments(for command: [String]) -> [String] {
        var arguments = privilegeDrop() + [executable]
        arguments += ["--unshare-all", "--unshare-user", "--share-net", "--disable-userns", "--cap-drop", "ALL"]
        arguments += ["--new-session", "--die-with-parent", "--hostname", hostname]
        if let user { arguments += ["--uid", "\(user.uid)", "--gid", "\(user.gid)"] }
        let expanded = expandedAncestors()
        appendRoot(into: &arguments, expanded: expanded)
        arguments += ["--dev", "/dev", "--proc", "/proc", "--bind", tmpDirectory, "/tmp"]
        arguments += ["--bind", sandboxDirectory, sandboxDirectory]
        for (path, hostDirectory) in mounts.sorted(by: { $0.key < $1.key }) {
            arguments += ["--bind", hostDirectory, path]
        }
        arguments += ["--chdir", sandboxDirectory, "--"]
        return arguments + command
    }

    /// `setpriv` becoming `user` (when set) with no supplementary groups and no-new-privileges.
    private func privilegeDrop() -> [String] {
        guard let setpriv else { return [] }
        var arguments = [setpriv]
        if let user { arguments += ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups"] }
        return arguments + ["--no-new-privs", "--"]
    }

    /// Directories on the path to a mount point that exist on the host and so must become tmpfs.
    private func expandedAncestors() -> Set<String> {
        var expanded: Set<String> = ["/"]
        for path in mounts.keys {
            var ancestor = ""
            let components = path.split(separator: "/").dropLast()
            for component in components {
                ancestor += "/" + component
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
        let skipped: Set<String> = directory == "/" ? ["/proc", "/dev", "/tmp", "/sys"] : []
        let children = ((try? fileManager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for name in children {
            let child = directory == "/" ? "/" + name : directory + "/" + name
            if skipped.contains(child) || mounts[child] != nil { continue }
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
