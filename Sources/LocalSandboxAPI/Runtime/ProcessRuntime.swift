import Foundation
import Logging
import PorterSandbox
import Synchronization

/// Runs each sandbox as a supervised host process: its command and args, its env, its own working
/// directory under the data directory. With bubblewrap installed the process is isolated (see
/// ``BubblewrapCommand`` and ``ProcessIsolation``); without it, it runs as a plain host process and the
/// missing isolation is stated at start-up and in `/readyz`. The image is recorded, never pulled.
final class ProcessRuntime: SandboxRuntime {
    let sandboxesRoot: URL
    let gracePeriod: Duration
    let isolation: ProcessIsolation
    /// The network each sandbox gets.
    let network: SandboxNetwork
    /// The most processes of one sandbox, when this machine can enforce it.
    let processLimit: Result<ProcessLimit, ProcessLimit.Unavailable>
    /// Host directories no sandbox may see (the server's data directory).
    let hidden: [String]
    let logger: Logger
    private let running = Mutex<[String: RunningSandbox]>([:])

    /// A live workload and what was set up around it.
    private struct RunningSandbox: Sendable {
        let process: Process
        /// Execs in flight, by exec id: stopped with the sandbox.
        var execs: [String: Process] = [:]
        /// The host pid of the sandbox's first process, whose network namespace execs join.
        var namespacePID: Int32?
        var network: NetworkAttachment?
    }

    var kind: LocalRuntimeKind { .process }
    var survivesRestart: Bool { false }
    var isolationWarning: String? {
        let warnings = [isolation.warning, network.warning, processLimitWarning].compactMap { $0 }
        return warnings.isEmpty ? nil : warnings.joined(separator: "; ")
    }
    var isolationSummary: String {
        let limit = (try? processLimit.get()).map { "at most \($0.maximum) processes a sandbox (pids cgroup)" } ?? "no process limit"
        return [isolation.summary, network.summary, limit].joined(separator: "; ")
    }
    var fileOwner: SandboxUser? { isolation.user }

    private var processLimitWarning: String? {
        guard case .bubblewrap = isolation, case .failure(let unavailable) = processLimit else { return nil }
        return "no per-sandbox process limit: \(unavailable.reason)"
    }

    init(
        sandboxesRoot: URL, gracePeriod: Duration, isolation: ProcessIsolation, network: SandboxNetwork,
        processLimit: Result<ProcessLimit, ProcessLimit.Unavailable>, hidden: [String], logger: Logger
    ) {
        self.sandboxesRoot = sandboxesRoot
        self.gracePeriod = gracePeriod
        self.isolation = isolation
        self.network = network
        self.processLimit = processLimit
        self.hidden = hidden
        self.logger = logger
    }

    func launch(_ sandbox: LocalSandbox, mounts: [String: URL], hooks: RuntimeHooks) async -> LaunchOutcome {
        let argv = (sandbox.spec.command ?? []) + (sandbox.spec.args ?? [])
        guard !argv.isEmpty else {
            return .failed("the process runtime needs a command: images are recorded, not pulled, so there is no image entrypoint to run")
        }
        if case .refused(let reason) = isolation { return .failed(reason) }
        do {
            let directory = try prepareDirectory(for: sandbox.id, mounts: mounts)
            let launch = try SandboxLaunch(
                sandboxID: sandbox.id, directory: directory, network: network, processLimit: try? processLimit.get(), forExec: false)
            let process = try makeProcess(argv, sandbox: sandbox, directory: directory, mounts: mounts, launch: launch)
            let output = LineSplitter { line in hooks.log(line, .info, "") }
            let errors = LineSplitter { line in hooks.log(line, .error, "") }
            let stdout = Pipe()
            let stderr = Pipe()
            process.standardOutput = stdout
            process.standardError = stderr
            process.standardInput = FileHandle.nullDevice
            stdout.fileHandleForReading.readabilityHandler = { handle in output.feed(handle.availableData) }
            stderr.fileHandleForReading.readabilityHandler = { handle in errors.feed(handle.availableData) }
            let id = sandbox.id
            process.terminationHandler = { [weak self] finished in
                stdout.fileHandleForReading.readabilityHandler = nil
                stderr.fileHandleForReading.readabilityHandler = nil
                output.feed(stdout.fileHandleForReading.readDataToEndOfFile())
                errors.feed(stderr.fileHandleForReading.readDataToEndOfFile())
                output.flush()
                errors.flush()
                self?.ended(id: id)
                let code = Int64(finished.terminationReason == .uncaughtSignal ? 128 + finished.terminationStatus : finished.terminationStatus)
                Task { await hooks.exited(code) }
            }
            running.withLock { $0[sandbox.id] = RunningSandbox(process: process) }
            do {
                try await ProcessSpawner.shared.run(process)
                try await connect(sandbox, launch: launch, hooks: hooks)
            } catch {
                // The sandbox's first process may be waiting to start: it goes with its parent.
                if let pid = running.withLock({ $0[id]?.namespacePID }) { kill(pid, SIGKILL) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw error
            }
            return .running
        } catch let error as LocalAPIError {
            return .failed(error.message)
        } catch {
            return .failed("could not start \(argv.first ?? ""): \(error)")
        }
    }

    /// Once the namespace exists: records its pid for execs, attaches the user-mode network and
    /// publishes the port, then lets the workload start.
    private func connect(_ sandbox: LocalSandbox, launch: SandboxLaunch, hooks: RuntimeHooks) async throws {
        guard network.isNamespaced else { return }
        let pid = try await launch.namespacePID()
        running.withLock { $0[sandbox.id]?.namespacePID = pid }
        if case .slirp4netns(let executable) = network {
            let attachment = try await NetworkAttachment.attach(
                executable: executable, pid: pid, port: sandbox.spec.networking?.first?.port, control: launch.control,
                unpublished: { reason in hooks.log("porter-fleet: \(reason); the port is reachable inside the sandbox only", .error, "") })
            let kept = running.withLock { table -> Bool in
                guard table[sandbox.id] != nil else { return false }
                table[sandbox.id]?.network = attachment
                return true
            }
            if !kept { attachment.detach() }
        }
        try launch.release()
    }

    /// After the workload's exit: its network, cgroup and workspace go (its logs stay in the store).
    /// Called by the exit handler and by ``stop(id:)``, whichever comes first.
    private func ended(id: String) {
        guard let sandbox = running.withLock({ $0.removeValue(forKey: id) }) else { return }
        sandbox.network?.detach()
        if case .success(let limit) = processLimit { limit.removeGroup(for: id) }
        let directory = sandboxesRoot.appendingPathComponent(id)
        let logger = logger
        Task {
            if let failure = await TreeRemoval.remove(directory) { logger.warning("could not remove the workspace of \(id): \(failure)") }
        }
    }

    func stop(id: String) async {
        guard let (process, execs) = running.withLock({ table in table[id].map { ($0.process, Array($0.execs.values)) } }) else { return }
        // An exec's bubblewrap takes everything it started down with it (its own pid namespace).
        for exec in execs where exec.isRunning { kill(exec.processIdentifier, SIGKILL) }
        process.terminate()
        let deadline = ContinuousClock.now + gracePeriod
        while process.isRunning, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
        ended(id: id)
    }

    func stopAll() async -> [String] {
        let ids = running.withLock { Array($0.keys) }
        await withTaskGroup(of: Void.self) { group in
            for id in ids { group.addTask { await self.stop(id: id) } }
        }
        return ids
    }

    func exec(_ command: [String], in sandbox: LocalSandbox, mounts: [String: URL], execID: String, hooks: RuntimeHooks) async throws
        -> ExecResult
    {
        guard !command.isEmpty else { throw LocalAPIError.badRequest("command must not be empty") }
        if case .refused(let reason) = isolation { throw LocalAPIError(status: .internalServerError, message: reason) }
        let directory = try prepareDirectory(for: sandbox.id, mounts: mounts)
        let launch = try SandboxLaunch(
            sandboxID: sandbox.id, directory: directory, network: network, processLimit: try? processLimit.get(), forExec: true)
        let process = try makeProcess(
            command, sandbox: sandbox, directory: directory, mounts: mounts, launch: launch,
            joining: running.withLock { $0[sandbox.id]?.namespacePID })
        defer {
            launch.removeEnvironment()
            running.withLock { _ = $0[sandbox.id]?.execs.removeValue(forKey: execID) }
        }
        // Each pipe is read to its end on a thread of its own, never by blocking reads on the concurrency
        // pool, so a long exec cannot starve the server; the result waits for both ends and the exit.
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        async let outData = Self.readToEnd(stdout, limit: Self.execOutputLimit)
        async let errData = Self.readToEnd(stderr, limit: Self.execOutputLimit)
        let (exit, exited) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in
            exited.yield()
            exited.finish()
        }
        do {
            let registered = running.withLock { table -> Bool in
                guard table[sandbox.id] != nil else { return false }
                table[sandbox.id]?.execs[execID] = process
                return true
            }
            guard registered else { throw LocalAPIError.conflict("sandbox \(sandbox.name) is not running") }
            try await ProcessSpawner.shared.run(process)
        } catch {
            process.terminationHandler = nil
            // Nothing will write: the readers see the end at once.
            try? stdout.fileHandleForWriting.close()
            try? stderr.fileHandleForWriting.close()
            _ = await (outData, errData)
            return ExecResult(stdout: "", stderr: "exec: \(error)\n", exitCode: 127, execId: execID)
        }
        for await _ in exit { break }
        let (out, err) = await (outData, errData)
        let outText = String(decoding: out.data, as: UTF8.self)
        var errText = String(decoding: err.data, as: UTF8.self)
        if out.truncated || err.truncated {
            errText += "porter-fleet: exec output truncated at \(Self.execOutputLimit) bytes a stream\n"
        }
        for line in LineSplitter.lines(of: outText) { hooks.log(line, .info, execID) }
        for line in LineSplitter.lines(of: errText) { hooks.log(line, .error, execID) }
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return ExecResult(stdout: outText, stderr: errText, exitCode: Int64(status), execId: execID)
    }

    /// The most an exec answers of each of its output streams (the rest is read and dropped): a sandbox
    /// that prints gigabytes must not make the server hold them.
    static let execOutputLimit = 16 << 20

    /// Up to `limit` bytes written to `pipe` until its last writer closes it (the rest read and dropped, so
    /// the writer never blocks), read on a thread of its own; and whether anything was dropped.
    private static func readToEnd(_ pipe: Pipe, limit: Int) async -> (data: Data, truncated: Bool) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let handle = pipe.fileHandleForReading
                var data = Data()
                var truncated = false
                while let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
                    let room = limit - data.count
                    if room > 0 { data.append(chunk.prefix(room)) }
                    if chunk.count > room { truncated = true }
                }
                continuation.resume(returning: (data, truncated))
            }
        }
    }

    /// `<root>/<id>/work` (the working directory) and `<root>/<id>/tmp` (its `/tmp`); when sandboxes run
    /// as another user, those and the volumes' roots are handed to it.
    private func prepareDirectory(for id: String, mounts: [String: URL]) throws -> URL {
        let directory = sandboxesRoot.appendingPathComponent(id)
        let own = [directory.appendingPathComponent("work"), directory.appendingPathComponent("tmp")]
        for url in own { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        guard let user = isolation.user else { return directory }
        for url in own + mounts.values.sorted(by: { $0.path < $1.path }) { try user.own(url.path) }
        return directory
    }

    /// The `PATH` of sandboxes and of the processes that start them.
    static let hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    private func makeProcess(
        _ argv: [String], sandbox: LocalSandbox, directory: URL, mounts: [String: URL], launch: SandboxLaunch, joining namespacePID: Int32? = nil
    ) throws -> Process {
        let process = Process()
        let work = directory.appendingPathComponent("work").path
        let isolated = if case .bubblewrap = isolation { true } else { false }
        var environment = [
            "PATH": Self.hostPath,
            "HOME": isolated ? BubblewrapCommand.workspace : work,
            "HOSTNAME": sandbox.name,
            "PORTER_SANDBOX_ID": sandbox.id,
            "PORTER_SANDBOX_NAME": sandbox.name,
        ]
        if !isolated { environment["TMPDIR"] = directory.appendingPathComponent("tmp").path }
        for (key, value) in sandbox.spec.env?.additionalProperties ?? [:] { environment[key] = value }
        if case .bubblewrap(let bubblewrap, let setpriv, let user) = isolation {
            // The launcher, bubblewrap, setpriv and nsenter run with a fixed environment of their own; the
            // request's reaches the workload through bubblewrap's --args (see BubblewrapCommand).
            process.environment = ["PATH": Self.hostPath]
            try launch.writeEnvironment(environment)
            var command = BubblewrapCommand(
                executable: bubblewrap,
                setpriv: setpriv,
                user: user,
                hostname: sandbox.name,
                sandboxDirectory: work,
                tmpDirectory: directory.appendingPathComponent("tmp").path,
                mounts: mounts.mapValues(\.path),
                hidden: hidden
            )
            launch.configure(&command, joining: namespacePID)
            let arguments = launch.wrap(command.arguments(for: argv), joining: namespacePID)
            process.executableURL = URL(fileURLWithPath: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--"] + argv
            process.currentDirectoryURL = URL(fileURLWithPath: work)
            process.environment = environment
        }
        return process
    }
}

/// Splits a byte stream into lines, calling back once per complete line.
final class LineSplitter: Sendable {
    private let pending = Mutex<Data>(Data())
    private let emit: @Sendable (String) -> Void

    init(emit: @escaping @Sendable (String) -> Void) { self.emit = emit }

    /// The longest line kept whole; output without a newline is cut into lines of this length, so a
    /// sandbox that never prints one holds no more than this of the server's memory.
    static let maximumLineBytes = 64 * 1024

    /// Takes a chunk of output: each byte is looked at once, however the output is chunked.
    func feed(_ data: Data) {
        guard !data.isEmpty else { return }
        let lines: [String] = pending.withLock { buffer in
            var lines: [String] = []
            var start = data.startIndex
            while let newline = data[start...].firstIndex(of: 0x0A) {
                buffer.append(data[start..<newline])
                lines.append(String(decoding: buffer, as: UTF8.self))
                buffer.removeAll(keepingCapacity: true)
                start = data.index(after: newline)
            }
            buffer.append(data[start...])
            while buffer.count >= Self.maximumLineBytes {
                lines.append(String(decoding: buffer.prefix(Self.maximumLineBytes), as: UTF8.self))
                buffer.removeFirst(Self.maximumLineBytes)
            }
            return lines
        }
        lines.forEach(emit)
    }

    func flush() {
        let rest = pending.withLock { buffer -> Data in
            defer { buffer.removeAll() }
            return buffer
        }
        if !rest.isEmpty { emit(String(decoding: rest, as: UTF8.self)) }
    }

    /// The lines of a text, without a trailing empty line, cut as ``feed(_:)`` cuts them.
    static func lines(of text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        let lines = Mutex<[String]>([])
        let splitter = LineSplitter { line in lines.withLock { $0.append(line) } }
        splitter.feed(Data(text.utf8))
        splitter.flush()
        return lines.withLock { $0 }
    }
}
