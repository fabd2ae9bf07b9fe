import Foundation

/// How one process of a sandbox (its workload, or an exec) is started on the host when the server
/// is root: a small shell launcher moves itself into the sandbox's pids cgroup (see ``ProcessLimit``),
/// opens the descriptors bubblewrap reports its child's pid on and waits on, and execs bubblewrap; an
/// exec enters the running sandbox's network namespace with `nsenter` first. The files it uses live in
/// the sandbox's `control` folder, which no sandbox sees.
struct SandboxLaunch: Sendable {
    /// The sandbox's folder for the launcher's files.
    let control: URL
    private let network: SandboxNetwork
    /// Where bubblewrap writes its child's pid (`--info-fd`), for the workload in its own namespace.
    private let infoPath: String?
    /// A FIFO bubblewrap waits on before it runs the workload (`--block-fd`), until the network is ready.
    private let blockPath: String?
    /// The sandbox's cgroup's `cgroup.procs`, when processes are limited.
    private let cgroupProcs: String?
    /// The workload's environment as bubblewrap arguments (0600, the server's own), read on fd 5.
    let environmentPath: String
    private let nsenter: String?

    /// Moves itself into the cgroup, then runs bubblewrap with fd 5 (the environment), fd 3 (info) and
    /// fd 4 (block) open. The launcher itself runs with a fixed, minimal environment.
    private static let script = """
        procs=$1 info=$2 block=$3 environment=$4; shift 4
        if [ -n "$procs" ]; then echo $$ > "$procs" || exit 125; fi
        exec 5<"$environment" || exit 125
        if [ -n "$block" ]; then exec "$@" 3>"$info" 4<>"$block"; fi
        if [ -n "$info" ]; then exec "$@" 3>"$info"; fi
        exec "$@"
        """

    init(sandboxID: String, directory: URL, network: SandboxNetwork, processLimit: ProcessLimit?, forExec: Bool) throws {
        control = directory.appendingPathComponent("control")
        try FileManager.default.createDirectory(at: control, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.network = network
        let namespaced = network.isNamespaced && !forExec
        infoPath = namespaced ? control.appendingPathComponent("bubblewrap-info.json").path : nil
        if namespaced, case .slirp4netns = network {
            let fifo = control.appendingPathComponent("start").path
            unlink(fifo)
            guard mkfifo(fifo, 0o600) == 0 else {
                throw LocalAPIError(status: .internalServerError, message: "could not make the sandbox's start FIFO (errno \(errno))")
            }
            blockPath = fifo
        } else {
            blockPath = nil
        }
        if let infoPath { unlink(infoPath) }
        environmentPath = control.appendingPathComponent("environment-\(UUID().uuidString).args").path
        cgroupProcs = try processLimit?.makeGroup(for: sandboxID)
        nsenter = ProcessIsolation.locate("nsenter", environment: ProcessInfo.processInfo.environment)
    }

    /// Sets bubblewrap's network namespace and descriptors: a workload gets a namespace of its own, an
    /// exec into a sandbox whose namespace is known joins it (through ``wrap(_:joining:)``).
    /// Writes the workload's environment for bubblewrap to read: `--clearenv`, then `--setenv NAME VALUE`
    /// for each, NUL-separated (names and values never hold NUL: requests with one are refused).
    func writeEnvironment(_ environment: [String: String]) throws {
        var arguments = ["--clearenv"]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["--setenv", name, value] }
        let bytes = Array(arguments.joined(separator: "\0").utf8) + [0]
        let descriptor = open(environmentPath, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LocalAPIError(status: .internalServerError, message: "could not write the sandbox's environment (errno \(errno))")
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw LocalAPIError(status: .internalServerError, message: "could not write the sandbox's environment (errno \(errno))")
        }
    }

    /// Removes the environment file once the process that read it has ended.
    func removeEnvironment() { unlink(environmentPath) }

    func configure(_ command: inout BubblewrapCommand, joining namespacePID: Int32?) {
        command.unshareNetwork = network.isNamespaced && (namespacePID == nil || nsenter == nil)
        command.infoDescriptor = infoPath == nil ? nil : 3
        command.blockDescriptor = blockPath == nil ? nil : 4
        command.environmentDescriptor = 5
    }

    /// The whole argv: the launcher, `nsenter` for an exec, then bubblewrap's.
    func wrap(_ arguments: [String], joining namespacePID: Int32?) -> [String] {
        var argv = arguments
        if let namespacePID, let nsenter, network.isNamespaced { argv = [nsenter, "--net=/proc/\(namespacePID)/ns/net", "--"] + argv }
        return ["/bin/sh", "-c", Self.script, "porter-fleet-launch", cgroupProcs ?? "", infoPath ?? "", blockPath ?? "", environmentPath] + argv
    }

    /// The host pid of the sandbox's first process, once bubblewrap has reported it.
    func namespacePID() async throws -> Int32 {
        guard let infoPath else { throw LocalAPIError(status: .internalServerError, message: "no namespace to wait for") }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if let data = FileManager.default.contents(atPath: infoPath),
                let info = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let pid = (info["child-pid"] as? NSNumber)?.int32Value
            {
                return pid
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw LocalAPIError(status: .internalServerError, message: "bubblewrap did not report the sandbox's namespace within 5 s")
    }

    /// Lets a workload held by `--block-fd` start.
    func release() throws {
        guard let blockPath else { return }
        let descriptor = open(blockPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw LocalAPIError(status: .internalServerError, message: "could not start the sandbox (errno \(errno))") }
        defer { close(descriptor) }
        guard write(descriptor, "1", 1) == 1 else { throw LocalAPIError(status: .internalServerError, message: "could not start the sandbox (errno \(errno))") }
        unlink(blockPath)
    }
}
