import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

/// What a hostile workload can do from inside a process sandbox, proven from inside one. These tests
/// need bubblewrap; they are skipped (and say so) without it. Run as root, as CI does, they prove the
/// sandbox is an unprivileged user on the host, not root in disguise.
@Suite("Local API: process sandbox isolation", .enabled(if: HostTools.bubblewrapInstalled, "needs bubblewrap (apt-get install bubblewrap)"))
struct IsolationTests {
    static let runningAsRoot = geteuid() == 0

    /// A running sandbox with a volume at /mnt/data, and the host directory behind that volume.
    private func withSandbox(_ body: (LocalAPIHarness, Sandbox, URL) async throws -> Void) async throws {
        try await withLocalAPI({ $0.runtime = .process }) { api in
            let volume = try await api.porter.volumes.create(name: "data")
            try await volume.writeFile(path: "/seed.txt", data: Data("seed".utf8))
            let sandbox = try await api.porter.sandboxes.create(
                image: "debian:12", name: "hostile", command: ["sleep", "600"], volumeMounts: ["/mnt/data": volume.id])
            _ = try await api.waitFor(sandbox) { $0.phase == .running }
            let host = URL(fileURLWithPath: api.dataDirectory).appendingPathComponent("volumes/\(volume.id)")
            try await body(api, sandbox, host)
        }
    }

    @Test func noCapabilitiesAndAnUnprivilegedUser() async throws {
        try await withSandbox { _, sandbox, host in
            let status = try await sandbox.exec(["cat", "/proc/self/status"])
            let lines = status.stdout.split(separator: "\n")
            for field in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
                let line = lines.first { $0.hasPrefix(field + ":") }.map(String.init) ?? "missing"
                #expect(line.hasSuffix("0000000000000000"), "\(field) must be empty: \(line)")
            }
            #expect(lines.contains { $0.hasPrefix("NoNewPrivs:") && $0.hasSuffix("1") }, "no new privileges")
            if Self.runningAsRoot {
                let id = try await sandbox.exec(["id", "-u"])
                #expect(id.stdout == "65534\n", "runs as nobody inside")
                let touch = try await sandbox.exec(["touch", "/mnt/data/made-inside"])
                #expect(touch.exitCode == 0)
                let attributes = try FileManager.default.attributesOfItem(atPath: host.appendingPathComponent("made-inside").path)
                #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 65534, "and as nobody on the host, not root in disguise")
            }
        }
    }

    @Test func hostSecretsAndHostFilesAreOutOfReach() async throws {
        try await withSandbox { _, sandbox, _ in
            let shadow = try await sandbox.exec(["cat", "/etc/shadow"])
            #expect(shadow.exitCode != 0 && shadow.stdout.isEmpty, "/etc/shadow is unreadable")
            let marker = "/var/tmp/porter-fleet-escape-\(UUID().uuidString)"
            let write = try await sandbox.exec(["sh", "-c", "echo escaped > \(marker)"])
            #expect(write.exitCode != 0)
            #expect(!FileManager.default.fileExists(atPath: marker), "a write outside the volume is refused")
            let remount = try await sandbox.exec(["mount", "-o", "remount,rw", "/usr"])
            #expect(remount.exitCode != 0, "a read-only bind cannot be remounted")
            let nested = try await sandbox.exec(["unshare", "-U", "-r", "id"])
            #expect(nested.exitCode != 0, "no user namespace to regain capabilities in")
        }
    }

    @Test func noDeviceNodesAndNoHostProcesses() async throws {
        try await withSandbox { _, sandbox, host in
            let mknod = try await sandbox.exec(["mknod", "/mnt/data/disk", "b", "8", "0"])
            #expect(mknod.exitCode != 0)
            #expect(!FileManager.default.fileExists(atPath: host.appendingPathComponent("disk").path), "mknod is refused")
            let processes = try await sandbox.exec(["sh", "-c", "ls /proc | grep -E '^[0-9]+$' | wc -l"])
            let count = Int(processes.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect((1...6).contains(count), "only the sandbox's own processes are visible, saw \(count)")
            let hostPID = "\(getpid())"
            let server = try await sandbox.exec(["sh", "-c", "cat /proc/\(hostPID)/cmdline 2>/dev/null | head -c 200"])
            #expect(!server.stdout.contains("porter"), "the server's own process is not visible")
        }
    }

    @Test func volumesStayWritableToTheSandboxAndItsUploads() async throws {
        try await withSandbox { api, sandbox, host in
            let own = try await sandbox.exec(["sh", "-c", "echo mine > /mnt/data/out.txt && cat /mnt/data/seed.txt && echo more >> /mnt/data/seed.txt"])
            #expect(own.exitCode == 0 && own.stdout == "seed", "stderr: \(own.stderr)")
            let volume = try await api.porter.volumes.get(name: "data")
            #expect(try await volume.readFile(path: "/out.txt").data == Data("mine\n".utf8))
            try await volume.writeFile(path: "/nested/dir/upload.txt", data: Data("uploaded".utf8))
            let append = try await sandbox.exec(["sh", "-c", "echo x >> /mnt/data/nested/dir/upload.txt && touch /mnt/data/nested/dir/new"])
            #expect(append.exitCode == 0, "uploads and their directories belong to the sandbox user: \(append.stderr)")
            #expect(FileManager.default.fileExists(atPath: host.appendingPathComponent("nested/dir/new").path))
        }
    }
}

/// What this machine offers the tests.
enum HostTools {
    /// Whether bubblewrap is installed, so process sandboxes are isolated.
    static let bubblewrapInstalled = FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")
}

/// A root server whose data directory sits under a private directory (a home of mode 0700, pytest's
/// temporary directories) still runs sandboxes: paths are resolved as root, the workload never is.
@Suite("Local API: data directory under a private directory", .enabled(if: HostTools.bubblewrapInstalled && geteuid() == 0, "needs bubblewrap and root"))
struct PrivateDataDirectoryTests {
    @Test func sandboxesRunAndWriteTheirVolumes() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-private-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: parent) }
        let api = try await LocalAPIHarness.start(dataDirectory: parent.appendingPathComponent("data").path) { $0.runtime = .process }
        let readiness = try await api.porter.readiness()
        #expect(readiness.status.hasPrefix("ready (isolation: bubblewrap"), "\(readiness.status)")
        let volume = try await api.porter.volumes.create(name: "private")
        let sandbox = try await api.porter.sandboxes.create(
            image: "debian:12", name: "private", command: ["sleep", "600"], volumeMounts: ["/srv/data": volume.id])
        _ = try await api.waitFor(sandbox) { $0.phase == .running }
        let run = try await sandbox.exec(["sh", "-c", "pwd && echo ok > /srv/data/out && echo home > $HOME/file && id -u"])
        #expect(run.exitCode == 0 && run.stdout == "/workspace\n65534\n", "\(run.stdout) \(run.stderr)")
        #expect(try await volume.readFile(path: "/out").data == Data("ok\n".utf8))
        let peek = try await sandbox.exec(["ls", parent.path])
        #expect(peek.exitCode != 0, "the host's private directory does not exist inside the sandbox")
        await api.stopAndRemove()
    }
}
