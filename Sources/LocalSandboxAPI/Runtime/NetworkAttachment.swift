import Foundation

/// The user-mode network (`slirp4netns`) attached to one sandbox's network namespace: outbound
/// connections through the host, the host's own loopback out of reach (`--disable-host-loopback`),
/// and the sandbox's declared port published on the host's 127.0.0.1. It lives as long as the sandbox.
final class NetworkAttachment: Sendable {
    private let process: Process
    /// A private folder with a path short enough for a Unix socket (108 bytes), holding the API socket.
    private let socketDirectory: String?

    private init(process: Process, socketDirectory: String?) {
        self.process = process
        self.socketDirectory = socketDirectory
    }

    /// Starts slirp4netns for the namespace of `pid`, waits until it has configured the namespace,
    /// and publishes `port` (host 127.0.0.1:port → the sandbox's port).
    ///
    /// - Parameter control: a directory of the server's own (no sandbox sees it) for the ready file
    ///   and the API socket.
    /// A port that cannot be published (taken on the host) does not stop the sandbox: `unpublished` is
    /// told why, and the sandbox runs with its port reachable from inside only.
    static func attach(
        executable: String, pid: Int32, port: Int64?, control: URL, unpublished: (String) -> Void
    ) async throws -> NetworkAttachment {
        let ready = control.appendingPathComponent("slirp.ready").path
        let log = control.appendingPathComponent("slirp.log").path
        for path in [ready, log] { unlink(path) }
        // The API socket is needed only to publish a port; mkdtemp makes its folder 0700.
        let socketDirectory = try port.map { _ in try makeSocketDirectory() }
        let socket = socketDirectory.map { $0 + "/api.sock" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // setpriv --pdeathsig: slirp4netns never outlives the server, however the server ends.
        let dieWithServer = ProcessIsolation.locate("setpriv", environment: ProcessInfo.processInfo.environment).map { [$0, "--pdeathsig", "KILL", "--"] } ?? []
        // --ready-fd writes "1" once the namespace's interface is configured.
        process.arguments = [
            "-c", "ready=$1 log=$2; shift 2; exec \"$@\" 3>\"$ready\" 2>\"$log\"", "porter-fleet-network", ready, log,
        ] + dieWithServer + [
            executable, "--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=3",
        ]
        if let socket { process.arguments? += ["--api-socket", socket] }
        process.arguments? += ["\(pid)", "tap0"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try await ProcessSpawner.shared.run(process)
        let attachment = NetworkAttachment(process: process, socketDirectory: socketDirectory)
        do {
            try await waitUntil("slirp4netns to configure the sandbox's network") {
                ((try? String(contentsOfFile: ready, encoding: .utf8)) ?? "").contains("1")
            }
            if let port, let socket {
                try await waitUntil("slirp4netns's API socket") { FileManager.default.fileExists(atPath: socket) }
                do {
                    try publish(port: port, socket: socket)
                } catch let error as LocalAPIError {
                    unpublished(error.message)
                }
            }
        } catch {
            attachment.detach()
            let said = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(8).joined(separator: " / ")
            throw LocalAPIError(status: .internalServerError, message: "\(error) (slirp4netns: \(said.isEmpty ? "nothing" : said))")
        }
        return attachment
    }

    /// Stops the user-mode network.
    func detach() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        if let socketDirectory { try? FileManager.default.removeItem(atPath: socketDirectory) }
    }

    private static func makeSocketDirectory() throws -> String {
        var template = Array("/tmp/porter-fleet-net-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw LocalAPIError(status: .internalServerError, message: "could not make a folder for slirp4netns's socket (errno \(errno))")
        }
        return String(cString: made)
    }

    private static func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw LocalAPIError(status: .internalServerError, message: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Asks slirp4netns to forward the host's 127.0.0.1:port to the sandbox's port.
    private static func publish(port: Int64, socket path: String) throws {
        let request = #"{"execute":"add_hostfwd","arguments":{"proto":"tcp","host_addr":"127.0.0.1","host_port":\#(port),"guest_port":\#(port)}}"#
        let answer = try UnixSocket.exchange(request, path: path)
        guard answer.contains("\"return\"") else {
            throw LocalAPIError(status: .conflict, message: "could not publish port \(port) on 127.0.0.1 (is it taken?): \(answer.prefix(200))")
        }
    }
}

/// One request and its answer over a Unix stream socket.
enum UnixSocket {
    static func exchange(_ request: String, path: String) throws -> String {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw failure("socket") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw failure("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw failure("connect") }
        let sent = request.withCString { send(descriptor, $0, strlen($0), 0) }
        guard sent >= 0 else { throw failure("send") }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard received >= 0 else { throw failure("recv") }
        return String(decoding: buffer[0..<received], as: UTF8.self)
    }

    private static func failure(_ step: String) -> LocalAPIError {
        LocalAPIError(status: .internalServerError, message: "slirp4netns API: \(step) failed (errno \(errno))")
    }
}
