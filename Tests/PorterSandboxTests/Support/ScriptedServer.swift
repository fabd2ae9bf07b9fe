import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A request as the scripted server received it.
struct RecordedRequest: Sendable {
    var method: String
    /// The raw request target: path and query exactly as sent.
    var target: String
    var headers: HTTPFields
    var body: Data

    /// The raw query string, or "" when there is none.
    var query: String {
        guard let index = target.firstIndex(of: "?") else { return "" }
        return String(target[target.index(after: index)...])
    }

    /// The path without the query.
    var path: String { String(target.prefix { $0 != "?" }) }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

/// An answer the scripted server sends.
struct ScriptedReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: Data = Data()
    /// How long to wait before answering.
    var delay: Duration = .zero

    static func json(_ status: Int = 200, _ text: String, delay: Duration = .zero) -> ScriptedReply {
        ScriptedReply(status: status, headers: [("Content-Type", "application/json")], body: Data(text.utf8), delay: delay)
    }

    static func error(_ status: Int, _ message: String) -> ScriptedReply {
        .json(status, #"{"error":"\#(message)"}"#)
    }

    static func empty(_ status: Int = 204) -> ScriptedReply { ScriptedReply(status: status) }

    static func redirect(_ status: Int, to location: String) -> ScriptedReply {
        ScriptedReply(status: status, headers: [("Location", location)])
    }
}

/// A real HTTP server on 127.0.0.1 (Hummingbird, an ephemeral port) that records every request and
/// answers each with the reply its script gives, so the SDK is tested over real HTTP.
final class ScriptedServer: Sendable {
    typealias Script = @Sendable (RecordedRequest, _ index: Int) -> ScriptedReply

    private let recorded = Mutex<[RecordedRequest]>([])
    private let script: Script
    private let runTask = Mutex<Task<Void, any Error>?>(nil)
    /// The port the server listens on.
    let port: Int

    /// Every request received so far, in order.
    var requests: [RecordedRequest] { recorded.withLock { $0 } }
    /// The base URL of the server.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(script: @escaping Script, port: Int) {
        self.script = script
        self.port = port
    }

    /// Starts a server that answers with `script`.
    static func start(_ script: @escaping Script) async throws -> ScriptedServer {
        let box = ServerBox()
        let portStream = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            guard let server = box.server else { return Response(status: .serviceUnavailable) }
            return try await server.answer(request)
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portStream.continuation.yield(channel.localAddress?.port ?? 0)
                portStream.continuation.finish()
            },
            logger: Logger(label: "scripted-server", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let task = Task { try await app.run() }
        var iterator = portStream.stream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw CancellationError()
        }
        let server = ScriptedServer(script: script, port: port)
        box.server = server
        server.runTask.withLock { $0 = task }
        return server
    }

    /// Starts a server whose answers are `replies` in order; the last one repeats.
    static func start(replies: [ScriptedReply]) async throws -> ScriptedServer {
        try await start { _, index in replies[min(index, replies.count - 1)] }
    }

    /// Stops the server.
    func stop() async {
        let task = runTask.withLock { $0 }
        task?.cancel()
        _ = try? await task?.value
    }

    private func answer(_ request: Request) async throws -> Response {
        var body = Data()
        for try await buffer in request.body {
            body.append(contentsOf: buffer.readableBytesView)
        }
        let recordedRequest = RecordedRequest(
            method: request.method.rawValue,
            target: request.head.path ?? "",
            headers: request.headers,
            body: body
        )
        let index = recorded.withLock { list in
            list.append(recordedRequest)
            return list.count - 1
        }
        let reply = script(recordedRequest, index)
        if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
        }
        fields[.contentLength] = String(reply.body.count)
        return Response(
            status: HTTPResponse.Status(code: reply.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body))
        )
    }
}

/// Lets the responder reach the server object created after the application starts.
private final class ServerBox: Sendable {
    private let stored = Mutex<ScriptedServer?>(nil)
    var server: ScriptedServer? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
