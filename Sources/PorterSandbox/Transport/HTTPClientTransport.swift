import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import OpenAPIRuntime

/// Sends one HTTP attempt with AsyncHTTPClient: no redirects (``RedirectMiddleware`` follows them),
/// no retries (``RetryMiddleware``), the per-operation timeout of reference §1.5.
///
/// The base URL and the request path are concatenated as strings, so a path prefix on the base URL
/// (the dashboard gateway's) is kept. Logs method, path and status at debug level; never headers.
struct HTTPClientTransport: ClientTransport {
    let client: HTTPClient
    let defaultTimeout: Duration
    let logger: Logger

    func send(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let path = request.path ?? ""
        let url = PorterEndpoint.trimmingTrailingSlashes(baseURL.absoluteString) + path
        var outgoing = HTTPClientRequest(url: url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields {
            outgoing.headers.add(name: field.name.rawName, value: field.value)
        }
        if let body {
            switch body.length {
            case .known(let length):
                outgoing.body = .stream(HTTPBodyBuffers(body: body), length: .known(length))
            case .unknown:
                outgoing.body = .stream(HTTPBodyBuffers(body: body), length: .unknown)
            }
        }
        let timeout = PorterRequestOptions.effectiveTimeout(operationID: operationID, defaultTimeout: defaultTimeout)
        let deadline: NIODeadline =
            timeout.map { .now() + .nanoseconds(Int64($0.nanosecondsClamped)) } ?? .distantFuture
        logger.debug(
            "request",
            metadata: ["operation": "\(operationID)", "method": "\(request.method.rawValue)", "path": "\(path)"]
        )
        let response: HTTPClientResponse
        do {
            response = try await client.execute(outgoing, deadline: deadline, logger: logger)
        } catch {
            throw Self.classify(error, operationID: operationID, timeout: timeout)
        }
        logger.debug(
            "response",
            metadata: ["operation": "\(operationID)", "path": "\(path)", "status": "\(response.status.code)"]
        )
        var fields = HTTPFields()
        for header in response.headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: name, value: header.value))
        }
        let status = HTTPResponse.Status(code: Int(response.status.code), reasonPhrase: response.status.reasonPhrase)
        let length: HTTPBody.Length =
            response.headers.first(name: "content-length").flatMap(Int64.init).map { .known($0) } ?? .unknown
        let responseBody = HTTPBody(ResponseChunks(base: response.body), length: length, iterationBehavior: .single)
        return (HTTPResponse(status: status, headerFields: fields), responseBody)
    }

    /// Maps AsyncHTTPClient's failures to ``PorterError``: deadline and socket timeouts to `timeout`
    /// (never retried), everything else to `transport` (retried).
    static func classify(_ error: any Error, operationID: String, timeout: Duration?) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout:
                let limit = timeout.map { " of \($0.formattedSeconds)" } ?? ""
                return PorterError(kind: .timeout, message: "\(operationID) did not finish within its timeout\(limit)")
            case .cancelled:
                return CancellationError()
            default:
                break
            }
        }
        return PorterError(kind: .transport, message: "Network error: \(error)")
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return Int64.max }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Seconds as a short human string, e.g. `30s` or `0.25s`.
    var formattedSeconds: String {
        let seconds = Double(nanosecondsClamped) / 1e9
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
