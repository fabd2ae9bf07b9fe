import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Turns every final non-2xx answer into a typed ``PorterError`` carrying the status and the
/// server's `error` message (reference §1.8), so the generated client only ever sees successes.
struct StatusMiddleware: ClientMiddleware {
    /// Error bodies larger than this are cut; the message is in the first bytes anyway.
    static let maximumErrorBody = 1 << 20

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.kind != .successful else { return (response, responseBody) }
        var bytes = Data()
        if let responseBody {
            for try await chunk in responseBody {
                bytes.append(contentsOf: chunk.prefix(Self.maximumErrorBody - bytes.count))
                if bytes.count >= Self.maximumErrorBody { break }
            }
        }
        throw PorterError.forStatus(response.status.code, body: bytes.isEmpty ? nil : bytes)
    }
}
