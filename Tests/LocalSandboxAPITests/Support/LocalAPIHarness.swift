import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat
import LocalSandboxAPI
import Logging
import PorterSandbox

/// A local Sandbox API started in-process on 127.0.0.1 (a free port) with a fresh data directory,
/// and a client for it.
final class LocalAPIHarness: Sendable {
    let dataDirectory: String
    let porter: Porter
    private let api: RunningLocalAPI

    var port: Int { api.port }
    var baseURL: String { api.baseURL }

    private init(dataDirectory: String, porter: Porter, api: RunningLocalAPI) {
        self.dataDirectory = dataDirectory
        self.porter = porter
        self.api = api
    }

    /// A fresh temporary data directory.
    static func makeDataDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("porter-fleet-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts a server; `configure` adjusts the configuration (simulated runtime by default).
    static func start(
        dataDirectory: String = makeDataDirectory(),
        apiKey: String? = nil,
        retryPolicy: RetryPolicy = RetryPolicy(maxRetries: 3, initialBackoff: .milliseconds(2), maxBackoff: .milliseconds(16)),
        _ configure: (inout LocalAPIConfiguration) -> Void = { _ in }
    ) async throws -> LocalAPIHarness {
        var configuration = LocalAPIConfiguration(dataDirectory: dataDirectory)
        configuration.port = 0
        configuration.runtime = .simulated
        configuration.simulated.queuedDelay = .milliseconds(5)
        configuration.simulated.creatingDelay = .milliseconds(5)
        configuration.terminationGracePeriod = .milliseconds(500)
        configuration.logger = Logger(label: "local-api-test", factory: { _ in SwiftLogNoOpLogHandler() })
        configure(&configuration)
        let api = try await RunningLocalAPI.start(configuration: configuration)
        let porter = try Porter(apiKey: apiKey, baseURL: api.baseURL, retryPolicy: retryPolicy, environment: [:])
        return LocalAPIHarness(dataDirectory: dataDirectory, porter: porter, api: api)
    }

    /// Stops the server (gracefully: workloads stopped and recorded) and the client.
    func stop() async {
        try? await porter.shutdown()
        await api.stop()
    }

    /// Stops the server and removes its data.
    func stopAndRemove() async {
        await stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Polls a sandbox until `condition` holds (or fails after a few seconds).
    func waitFor(_ sandbox: Sandbox, timeout: Duration = .seconds(10), _ condition: (SandboxStatus) -> Bool) async throws -> SandboxStatus {
        let deadline = ContinuousClock.now + timeout
        while true {
            let status = try await sandbox.refresh()
            if condition(status) { return status }
            if ContinuousClock.now > deadline {
                let logs = ((try? await sandbox.logs(limit: 20)) ?? []).map(\.line).joined(separator: " | ")
                throw HarnessTimeout(message: "sandbox \(status.name) stayed \(status.phase) (exit \(status.exitCode.map(String.init) ?? "none"); logs: \(logs))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Sends a raw HTTP request (for what the SDK never sends: bad JSON, odd query encodings).
    func raw(
        _ method: String, _ target: String, body: Data? = nil, chunked: Bool = false, headers: [String: String] = [:]
    ) async throws -> (Int, Data, [String: String]) {
        var request = HTTPClientRequest(url: baseURL + target)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if chunked {
                let chunks = stride(from: 0, to: body.count, by: 1000).map { ByteBuffer(bytes: body[$0..<min(body.count, $0 + 1000)]) }
                request.body = .stream(chunks.async, length: .unknown)
            } else {
                request.body = .bytes(ByteBuffer(bytes: body))
            }
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return (Int(response.status.code), data, fields)
    }
}

/// A sequence of buffers sent one by one, for chunked uploads.
struct BufferSequence: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffers: [ByteBuffer]
    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { remaining.popFirst() }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: buffers[...]) }
}

extension Array where Element == ByteBuffer {
    var async: BufferSequence { BufferSequence(buffers: self) }
}

struct HarnessTimeout: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Runs `body` with a started harness, always stopping it.
func withLocalAPI<T>(
    apiKey: String? = nil,
    _ configure: (inout LocalAPIConfiguration) -> Void = { _ in },
    _ body: (LocalAPIHarness) async throws -> T
) async throws -> T {
    let harness = try await LocalAPIHarness.start(apiKey: apiKey, configure)
    do {
        let result = try await body(harness)
        await harness.stopAndRemove()
        return result
    } catch {
        await harness.stopAndRemove()
        throw error
    }
}

/// The error body's message.
func errorMessage(_ data: Data) -> String? {
    (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["error"] as? String
}
