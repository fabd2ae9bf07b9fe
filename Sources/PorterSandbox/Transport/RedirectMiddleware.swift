import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Follows redirects as the official SDKs do (reference §1.7): 301, 302, 303, 307 and 308 with a
/// `Location`; method and body kept on every hop; `Authorization` dropped on any hop whose origin
/// differs from the base URL's; at most five hops. A 3xx without `Location` is passed on as is.
struct RedirectMiddleware: ClientMiddleware {
    /// The most redirects followed for one request.
    static let maximumRedirects = 5
    static let followedStatuses: Set<Int> = [301, 302, 303, 307, 308]

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let baseOrigin = Origin(baseURL)
        var hopRequest = request
        var hopBaseURL = baseURL
        var currentURL = URL(string: PorterEndpoint.trimmingTrailingSlashes(baseURL.absoluteString) + (request.path ?? ""))
        var redirects = 0
        while true {
            let (response, responseBody) = try await next(hopRequest, body, hopBaseURL)
            guard Self.followedStatuses.contains(response.status.code),
                let location = response.headerFields[.location],
                let target = URL(string: location, relativeTo: currentURL)?.absoluteURL,
                let targetOrigin = Origin(target)
            else { return (response, responseBody) }
            if redirects == Self.maximumRedirects {
                throw PorterError(
                    kind: .tooManyRedirects,
                    statusCode: response.status.code,
                    message: "Too many redirects (more than \(Self.maximumRedirects)) for \(operationID)"
                )
            }
            if let body, body.iterationBehavior == .single {
                throw PorterError(
                    kind: .unexpectedStatus,
                    statusCode: response.status.code,
                    message: "\(operationID) was redirected but its streamed body cannot be sent twice"
                )
            }
            redirects += 1
            hopRequest = request
            hopRequest.path = Self.pathAndQuery(of: target)
            if targetOrigin != baseOrigin { hopRequest.headerFields[.authorization] = nil }
            hopBaseURL = targetOrigin.url
            currentURL = target
        }
    }

    /// The path and query of a URL, as an `HTTPRequest.path`.
    static func pathAndQuery(of url: URL) -> String {
        guard let components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return "/" }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { return path + "?" + query }
        return path
    }
}

/// Scheme, host and port of a URL, with default ports filled in: what "same origin" compares.
struct Origin: Equatable {
    let scheme: String
    let host: String
    let port: Int

    init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        self.scheme = scheme
        self.host = host
        self.port = url.port ?? (scheme == "https" ? 443 : 80)
    }

    /// The origin as a URL with no path.
    var url: URL {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return URL(string: "\(scheme)://\(hostPart):\(port)")!
    }
}
