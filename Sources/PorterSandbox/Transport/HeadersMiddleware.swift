import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Adds the headers every request carries (reference §1.3): `User-Agent`, and `Authorization: Bearer`
/// only when an API key is configured, and `Range` as written. `Accept` and `Content-Type` come
/// from the generated client.
struct HeadersMiddleware: ClientMiddleware {
    let apiKey: String?
    let userAgent: String

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.userAgent] = userAgent
        if let apiKey {
            request.headerFields[.authorization] = "Bearer \(apiKey)"
        } else {
            request.headerFields[.authorization] = nil
        }
        // The generated client percent-encodes header parameters as URI components
        // (`bytes%3D0-9`); a Range value never contains `%`, so send it as written.
        if let range = request.headerFields[.range], range.contains("%") {
            request.headerFields[.range] = range.removingPercentEncoding ?? range
        }
        return try await next(request, body, baseURL)
    }
}
