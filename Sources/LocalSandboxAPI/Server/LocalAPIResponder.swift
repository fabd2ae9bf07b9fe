import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import OpenAPIRuntime
import Synchronization

/// Wraps the generated routes with what every request goes through, outermost first: errors as
/// `{"error": …}` JSON, bearer-token authentication, compatibility rewrites of the query string, the
/// request rate limit, and injected faults.
struct LocalAPIResponder<Routes: HTTPResponder>: HTTPResponder where Routes.Context == LocalAPIRequestContext {
    typealias Context = LocalAPIRequestContext

    /// The largest JSON request body accepted.
    static var maximumJSONBody: Int { 1 << 20 }

    let routes: Routes
    let token: String?
    let faults: FaultInjector?
    var rateLimit: RequestRateLimit?
    /// How long a request's body may take to arrive.
    var limits = HTTPLimits()

    func respond(to request: Request, context: Context) async throws -> Response {
        do {
            try authenticate(request)
            try Self.refuseUndecodableTarget(request)
            var request = WireCompatibility.rewrite(request)
            let isUpload = request.uri.path.hasSuffix("/files/content")
            if request.method != .get, !isUpload {
                // JSON bodies are small; file uploads stream with their own limit.
                do {
                    request = try await Self.withDeadline(limits.jsonBodyDeadline, channel: context.channel) { [request] in
                        var collected = request
                        _ = try await collected.collectBody(upTo: Self.maximumJSONBody)
                        return collected
                    }
                } catch let error as HTTPError where error.status == .contentTooLarge {
                    throw LocalAPIError.tooLarge("the request body is larger than \(Self.maximumJSONBody) bytes")
                }
            }
            if isUpload, request.method == .put {
                let answering = request
                return try await Self.withDeadline(limits.uploadDeadline, channel: context.channel) {
                    try await admitted(answering, context: context)
                }
            }
            return try await admitted(request, context: context)
        } catch {
            let (status, message) = Self.describe(error)
            if status == .contentTooLarge || status == .requestTimeout {
                // The rest of the body is not read: the connection ends with this answer.
                context.channel.close(mode: .input, promise: nil)
            }
            return Self.errorResponse(status: status, message: message)
        }
    }

    /// `work`, or 408 once `limit` has passed: the connection's input is closed, which ends a body that
    /// is still trickling in.
    static func withDeadline<T: Sendable>(_ limit: Duration, channel: any Channel, _ work: @Sendable () async throws -> T) async throws -> T {
        let expired = Mutex(false)
        let timer = Task {
            try await Task.sleep(for: limit)
            expired.withLock { $0 = true }
            channel.close(mode: .input, promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await work()
        } catch {
            if expired.withLock({ $0 }) {
                throw LocalAPIError(status: .requestTimeout, message: "the request body did not arrive within \(limit) (the limit of one request)")
            }
            throw error
        }
    }

    /// A request past authentication and body limits: the rate limit, injected faults, then the routes.
    private func admitted(_ request: Request, context: Context) async throws -> Response {
        do {
            if let rateLimit, request.uri.path.hasPrefix("/v1/"), let wait = rateLimit.admit(request.headers[.authorization] ?? "") {
                var response = Self.errorResponse(status: .tooManyRequests, message: "rate limited: more than \(rateLimit.rate) requests a second")
                response.headers[.retryAfter] = RequestRateLimit.retryAfter(wait)
                return response
            }
            guard let faults, request.uri.path.hasPrefix("/v1/") else {
                return try await answer(request, context: context)
            }
            let decision = faults.decide(isMutation: request.method != .get && request.method != .head)
            if decision.latency > .zero { try await Task.sleep(for: decision.latency) }
            if let status = decision.status {
                let message = status == 429 ? "rate limited (injected fault)" : "service unavailable (injected fault)"
                return Self.errorResponse(status: .init(code: status), message: message)
            }
            let response = try await answer(request, context: context)
            if decision.drop {
                // The change is made; the client never hears of it.
                try? await context.channel.close()
            }
            return response
        }
    }

    /// The routes' answer; the router's bare 404 for an unknown endpoint gets an error body too.
    private func answer(_ request: Request, context: Context) async throws -> Response {
        var response = try await routes.respond(to: request, context: context)
        if response.status == .notFound, response.headers[.contentType] == nil {
            return Self.errorResponse(status: .notFound, message: "no such endpoint: \(request.method.rawValue) \(request.uri.path)")
        }
        // The generated server percent-encodes header values as URI components
        // (`bytes%200-3%2F11`); these headers never contain `%`, so send them as written.
        for name in [HTTPField.Name.contentRange, .lastModified, .location] {
            if let value = response.headers[name], value.contains("%") {
                response.headers[name] = value.removingPercentEncoding ?? value
            }
        }
        return response
    }

    private func authenticate(_ request: Request) throws {
        guard let token else { return }
        let presented = request.headers[.authorization] ?? ""
        // The scheme is case-insensitive (RFC 9110 §11.1); the token is compared as sent.
        let scheme = presented.prefix(while: { $0 != " " })
        let credentials = presented.dropFirst(scheme.count).drop(while: { $0 == " " })
        guard scheme.lowercased() == "bearer", Self.constantTimeEqual(String(credentials), token) else {
            throw LocalAPIError.unauthorized(
                presented.isEmpty ? "missing Authorization: Bearer token" : "the bearer token is not valid")
        }
    }

    /// A request target whose percent-escapes do not decode to UTF-8 (`%FF`) would reach the handlers
    /// as an empty or altered value (a file path read as the volume root), so it is refused whole.
    static func refuseUndecodableTarget(_ request: Request) throws {
        guard let target = request.head.path, target.contains("%") else { return }
        let withoutPlus = target.replacingOccurrences(of: "+", with: " ")
        guard withoutPlus.removingPercentEncoding != nil else {
            throw LocalAPIError.badRequest("the request target has percent-escapes that are not valid UTF-8")
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }

    /// The status and message for any error thrown while answering.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as LocalAPIError:
            return (error.status, error.message)
        case let error as ServerError:
            if let inner = error.underlyingError as? LocalAPIError { return (inner.status, inner.message) }
            if String(describing: type(of: error.underlyingError)).contains("TooManyBytes") {
                return (.contentTooLarge, "the request body is too large")
            }
            return (.badRequest, "invalid request: \(Self.explain(error))")
        case let error as HTTPParserError:
            return (.badRequest, "malformed HTTP request: \(error)")
        case let error as HTTPError:
            let message = error.body ?? (error.status == .notFound ? "no such endpoint" : error.status.reasonPhrase)
            return (error.status, message)
        case let error as any HTTPResponseError:
            return (error.status, "\(error.status.reasonPhrase)")
        default:
            return (.internalServerError, "internal error: \(error)")
        }
    }

    /// A readable reason for a request the generated code could not parse.
    private static func explain(_ error: ServerError) -> String {
        var text = error.causeDescription
        switch error.underlyingError {
        case let decoding as DecodingError:
            switch decoding {
            case .keyNotFound(let key, let context):
                text = "missing field '\(Self.path(context.codingPath + [key]))'"
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                text = "wrong type at '\(Self.path(context.codingPath))': \(context.debugDescription)"
            case .dataCorrupted(let context):
                text = context.codingPath.isEmpty ? "the body is not valid JSON" : "invalid value at '\(Self.path(context.codingPath))': \(context.debugDescription)"
            @unknown default:
                break
            }
        default:
            text += " (\(error.underlyingError))"
        }
        return text
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    static func errorResponse(status: HTTPResponse.Status, message: String) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message], options: [.withoutEscapingSlashes])) ?? Data()
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Rewrites requests the official SDKs send in forms the generated code does not read as is.
enum WireCompatibility {
    /// Enum query parameters the Python SDK may send as `SandboxesPhase.RUNNING`.
    static let enumParameters: Set<String> = ["phase", "source", "metric"]

    /// `+` in the query becomes `%20` (the TypeScript SDK encodes spaces as `+`), and enum values in
    /// the Python `Enum.MEMBER` form become their wire value (`SandboxesPhase.RUNNING` → `running`).
    static func rewrite(_ request: Request) -> Request {
        guard let path = request.head.path, let question = path.firstIndex(of: "?") else { return request }
        let query = path[path.index(after: question)...]
        guard query.contains("+") || query.contains(".") else { return request }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let pair = pair.replacingOccurrences(of: "+", with: "%20")
            guard let equals = pair.firstIndex(of: "="), enumParameters.contains(String(pair[..<equals])) else { return pair }
            let value = pair[pair.index(after: equals)...].removingPercentEncoding ?? String(pair[pair.index(after: equals)...])
            guard let dot = value.lastIndex(of: ".") else { return pair }
            return pair[..<equals] + "=" + value[value.index(after: dot)...].lowercased()
        }
        var head = request.head
        head.path = String(path[..<question]) + "?" + pairs.joined(separator: "&")
        return Request(head: head, body: request.body)
    }
}
