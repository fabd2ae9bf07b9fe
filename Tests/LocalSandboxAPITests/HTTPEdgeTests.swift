import Foundation
import LocalSandboxAPI
import PorterSandbox
import Testing

/// What the server does with requests a careless or hostile client sends at the HTTP level.
@Suite("Local API: HTTP edges")
struct HTTPEdgeTests {
    @Test func aMalformedChunkSizeAnswers400() async throws {
        try await withLocalAPI { api in
            let volume = try await api.porter.volumes.create(name: "chunks")
            for head in [
                "PUT /v1/volume/\(volume.id)/files/content?path=%2Fa HTTP/1.1\r\nContent-Type: application/octet-stream\r\n",
                "POST /v1/volume HTTP/1.1\r\nContent-Type: application/json\r\n",
            ] {
                let answer = try await RawConnection.exchange(
                    port: api.port, Data((head + "Host: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n").utf8))
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(head.prefix(40)): \(answer.prefix(80))")
            }
        }
    }

    @Test func afterA413TheRestOfAnEndlessBodyIsNotRead() async throws {
        try await withLocalAPI({ $0.maxUploadBytes = 10_000 }) { api in
            let volume = try await api.porter.volumes.create(name: "endless")
            let head = "PUT /v1/volume/\(volume.id)/files/content?path=%2Fbig HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            let sent = try await RawConnection.sendUntilClosed(port: api.port, head: Data(head.utf8), chunk: Data("10000\r\n".utf8) + Data(repeating: 0x61, count: 65536) + Data("\r\n".utf8), for: .seconds(10))
            #expect(sent.closed, "the server closed the connection after its 413")
            #expect(sent.bytes < 64 << 20, "it stopped reading early: \(sent.bytes) bytes sent")
        }
    }

    @Test func aTricklingBodyMeetsTheRequestDeadline() async throws {
        try await withLocalAPI({ $0.httpLimits.uploadDeadline = .seconds(1) }) { api in
            let volume = try await api.porter.volumes.create(name: "trickle")
            let head = "PUT /v1/volume/\(volume.id)/files/content?path=%2Fslow HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
            let started = ContinuousClock.now
            let answer = try await RawConnection.trickle(port: api.port, head: Data(head.utf8), every: .milliseconds(200), for: .seconds(8))
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer.prefix(120))")
            #expect(ContinuousClock.now - started < .seconds(15), "ended by the 1 s deadline, not by the 30 s idle timeout")
            let listing = try await volume.listFiles()
            #expect(listing.entries.isEmpty, "nothing half-written")
        }
    }

    @Test func theBearerSchemeIsCaseInsensitive() async throws {
        try await withLocalAPI({ $0.token = "s3cret" }) { api in
            for (header, status) in [("bearer s3cret", 200), ("BEARER s3cret", 200), ("Bearer  s3cret", 200), ("bearer S3CRET", 401), ("Basic s3cret", 401)] {
                let (answer, _, _) = try await api.raw("GET", "/v1/sandbox", headers: ["Authorization": header])
                #expect(answer == status, "\(header) answered \(answer)")
            }
        }
    }
}

/// A plain TCP connection to the server, for requests no HTTP client would send.
enum RawConnection {
    private static let noSignal = Int32(MSG_NOSIGNAL)

    /// Sends `request` and reads the answer until the server closes or 5 s pass.
    static func exchange(port: Int, _ request: Data) async throws -> String {
        try await offPool {
            let socket = try connect(port: port)
            defer { close(socket) }
            _ = request.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, noSignal) }
            return String(decoding: readAll(socket), as: UTF8.self)
        }
    }

    /// Sends `head`, then `chunk` over and over until the server stops reading (a send fails) or `limit` passes.
    static func sendUntilClosed(port: Int, head: Data, chunk: Data, for limit: Duration) async throws -> (closed: Bool, bytes: Int) {
        try await offPool {
            let socket = try connect(port: port)
            defer { close(socket) }
            var bytes = 0
            let deadline = ContinuousClock.now + limit
            var data = head
            while ContinuousClock.now < deadline {
                let sent = data.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, noSignal) }
                if sent <= 0 { return (errno != EAGAIN && errno != EWOULDBLOCK, bytes) }
                bytes += sent
                data = chunk
            }
            return (false, bytes)
        }
    }

    /// Sends `head`, then one byte every `interval`, until the server answers or `limit` passes.
    static func trickle(port: Int, head: Data, every interval: Duration, for limit: Duration) async throws -> String {
        try await offPool {
            let socket = try connect(port: port, receiveTimeout: interval)
            defer { close(socket) }
            _ = head.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, noSignal) }
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let read = recv(socket, &buffer, buffer.count, 0)
                if read > 0 { return String(decoding: buffer[0..<read], as: UTF8.self) }
                if read == 0 { return "closed" }
                _ = send(socket, "x", 1, noSignal)
            }
            return "no answer"
        }
    }

    private static func connect(port: Int, receiveTimeout: Duration = .seconds(20)) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: Int(receiveTimeout.components.seconds), tv_usec: Int(receiveTimeout.components.attoseconds / 1_000_000_000_000))
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var sendTimeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessTimeout(message: "could not connect to 127.0.0.1:\(port) (errno \(errno))") }
        return socket
    }

    private static func readAll(_ socket: Int32) -> Data {
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let read = recv(socket, &buffer, buffer.count, 0)
            guard read > 0 else { return answer }
            answer.append(contentsOf: buffer[0..<read])
        }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}
