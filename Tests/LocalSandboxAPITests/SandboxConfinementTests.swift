import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

/// What one process sandbox can see of the server and its neighbours, reach on the network, and
/// exhaust; and that ordinary shell use works inside. Root with bubblewrap, as CI runs them.
@Suite(
    "Local API: what a sandbox sees, reaches and exhausts",
    .enabled(if: HostTools.bubblewrapInstalled && geteuid() == 0, "needs bubblewrap and root (CI runs both)"))
struct SandboxConfinementTests {
    /// A server whose data directory lies where sandboxes could otherwise see it (under /var/tmp).
    private func withVisibleDataDirectory(_ body: (LocalAPIHarness) async throws -> Void) async throws {
        let data = "/var/tmp/porter-fleet-test-\(UUID().uuidString)"
        let harness = try await LocalAPIHarness.start(dataDirectory: data) { $0.runtime = .process }
        do {
            try await body(harness)
        } catch {
            await harness.stopAndRemove()
            throw error
        }
        await harness.stopAndRemove()
    }

    private func start(_ api: LocalAPIHarness, name: String, command: [String], port: Int64? = nil, volumes: [String: String] = [:]) async throws -> Sandbox {
        let sandbox = try await api.porter.sandboxes.create(
            image: "debian:12", name: name, command: command, volumeMounts: volumes,
            networking: port.map { [SandboxNetworkingSpec(port: $0)] })
        _ = try await api.waitFor(sandbox) { $0.phase == .running }
        return sandbox
    }

    @Test func neighboursAndTheServersStateAreOutOfSight() async throws {
        try await withVisibleDataDirectory { api in
            let volume = try await api.porter.volumes.create(name: "private")
            try await volume.writeFile(path: "/secret.txt", data: Data("neighbour's".utf8))
            let neighbour = try await start(api, name: "neighbour", command: ["sh", "-c", "echo mine > /workspace/w.txt; sleep 600"], volumes: ["/mnt/p": volume.id])
            let prying = try await start(api, name: "prying", command: ["sleep", "600"])
            let data = api.dataDirectory
            let listing = try await prying.exec(["sh", "-c", "ls -A \(data) 2>/dev/null; true"])
            #expect(listing.stdout.isEmpty, "the data directory is out of sight inside: \(listing.stdout)")
            let look = try await prying.exec(["sh", "-c", "cat \(data)/local-api.sqlite* \(data)/sandboxes/\(neighbour.id)/work/w.txt 2>/dev/null | head -c 200; true"])
            #expect(look.stdout.isEmpty, "read: \(look.stdout.prefix(80))")
            for path in [data, data + "/sandboxes", data + "/volumes"] {
                let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
                #expect(mode == 0o700, "\(path) is \(String(mode ?? 0, radix: 8))")
            }
            for name in try FileManager.default.contentsOfDirectory(atPath: data) where name.hasPrefix("local-api.sqlite") {
                let mode = try FileManager.default.attributesOfItem(atPath: data + "/" + name)[.posixPermissions] as? Int
                #expect(mode == 0o600, "\(name) is \(String(mode ?? 0, radix: 8))")
            }
        }
    }

    @Test func theHostsLoopbackIsUnreachableAndTheDeclaredPortIsPublished() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let server = try await start(api, name: "web", command: ["python3", "-m", "http.server", "18931", "--bind", "0.0.0.0"], port: 18931)
            let probe = """
                import socket, sys, time
                def reach(port):
                    try:
                        socket.create_connection(('127.0.0.1', port), timeout=2).close(); return 'open'
                    except OSError as e:
                        return 'closed'
                for _ in range(50):
                    if reach(18931) == 'open': break
                    time.sleep(0.1)
                print(reach(int(sys.argv[1])), reach(18931))
                """
            let inside = try await server.exec(["python3", "-c", probe, "\(api.port)"])
            #expect(inside.stdout == "closed open\n", "the API on the host's loopback is out of reach, its own port is not: \(inside.stdout) \(inside.stderr)")
            var published = false
            let deadline = ContinuousClock.now + .seconds(10)
            while !published, ContinuousClock.now < deadline {
                let answer = try? await RawConnection.exchange(port: 18931, Data("GET / HTTP/1.0\r\n\r\n".utf8))
                published = answer?.hasPrefix("HTTP/1.0 200") == true
                if !published { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(published, "the declared port answers on the host's 127.0.0.1")
            // A world-writable Unix socket of a host service (as PostgreSQL's in /var/run/postgresql): a
            // read-only bind would still let connect() through; the sandbox does not see /var at all.
            let socketPath = "/var/tmp/porter-fleet-test-\(UUID().uuidString.prefix(8)).sock"
            let listener = try HostUnixListener(path: socketPath)
            defer { listener.close() }
            let unix = try await server.exec(["python3", "-c", "import socket; s = socket.socket(socket.AF_UNIX); s.connect('\(socketPath)'); print('reached')"])
            #expect(unix.exitCode != 0 && !unix.stdout.contains("reached"), "a host Unix socket is out of reach: \(unix.stdout)")
            // Abstract Unix sockets belong to a network namespace: a neighbour's (or the host's) is not there.
            let neighbour = try await start(api, name: "neighbour", command: [
                "python3", "-c", "import socket, time; s = socket.socket(socket.AF_UNIX); s.bind('\\0porter-fleet-neighbour'); s.listen(1); time.sleep(600)",
            ])
            let abstract = try await server.exec([
                "python3", "-c", "import socket, time\nfor _ in range(20):\n    try:\n        socket.socket(socket.AF_UNIX).connect('\\0porter-fleet-neighbour'); print('reached'); break\n    except OSError:\n        time.sleep(0.05)",
            ])
            #expect(!abstract.stdout.contains("reached"), "a neighbour's abstract socket is out of reach")
            let own = try await neighbour.exec(["python3", "-c", "import socket; socket.socket(socket.AF_UNIX).connect('\\0porter-fleet-neighbour'); print('reached')"])
            #expect(own.stdout.contains("reached"), "while inside its own sandbox it answers (the check can fail): \(own.stderr)")
            let isolation = try await api.porter.readiness().status
            #expect(isolation.contains("network namespace per sandbox"), "\(isolation)")
        }
    }

    @Test func shellUseWorksAndForksStopAtTheLimit() async throws {
        try await withLocalAPI({ $0.runtime = .process; $0.sandboxProcessLimit = 64 }) { api in
            let sandbox = try await start(api, name: "shell", command: ["sleep", "600"])
            let shell = try await sandbox.exec(["sh", "-c", "echo quiet > /dev/null && head -c 8 /dev/urandom | wc -c && (sleep 0.1 &) && wait && echo jobs-ok"])
            #expect(shell.exitCode == 0 && shell.stdout == "8\njobs-ok\n", "\(shell.stdout) \(shell.stderr)")
            let bomb = try await sandbox.exec(["sh", "-c", "n=0; while [ $n -lt 200 ]; do sleep 5 & n=$((n+1)); done 2>/dev/null; jobs -p | wc -l"])
            let started = Int(bomb.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(started < 64, "forks stop at the sandbox's limit of 64 processes (\(started) started)")
        }
    }

    @Test func aTerminatedSandboxsWorkspaceIsRemoved() async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let sandbox = try await start(api, name: "disk", command: ["sh", "-c", "head -c 4000000 /dev/zero > /workspace/blob; sleep 600"])
            let workspace = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("sandboxes/\(sandbox.id)")
            #expect(FileManager.default.fileExists(atPath: workspace.path))
            try await sandbox.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while FileManager.default.fileExists(atPath: workspace.path), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(!FileManager.default.fileExists(atPath: workspace.path), "the 4 MB workspace is given back")
        }
    }
}

/// A listening Unix socket on the host, world-writable, for a sandbox to try to reach.
final class HostUnixListener {
    private let descriptor: Int32
    private let path: String

    init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(descriptor, 4) == 0, chmod(path, 0o777) == 0 else {
            throw HarnessTimeout(message: "could not listen on \(path) (errno \(errno))")
        }
    }

    func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}
