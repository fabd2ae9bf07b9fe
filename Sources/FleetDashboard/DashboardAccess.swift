import Foundation
import HTTPTypes
import Hummingbird

/// Who may see the dashboard, and the headers every answer carries.
///
/// On a loopback listener anyone on the machine may; on any other, every path but `/healthz` and
/// `/readyz` needs the bearer token: in an `Authorization: Bearer` header (scripts), or once in the
/// address as `?token=…`, which sets a same-site, HTTP-only cookie and redirects to the address without it
/// (browsers). Every answer carries a Content-Security-Policy that allows only the dashboard's own assets.
struct DashboardAccess<Context: RequestContext>: RouterMiddleware {
    /// The token; nil on loopback.
    let token: String?

    static var cookieName: String { "porter_fleet_dashboard" }

    /// The policy: own scripts, styles and connections only; no frames, no plugins, no inline code.
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await authorized(request, context: context, next: next)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        if let referrerPolicy = HTTPField.Name("Referrer-Policy") { response.headers[referrerPolicy] = "no-referrer" }
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        return response
    }

    private func authorized(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token, !["/healthz", "/readyz"].contains(request.uri.path) else { return try await next(request, context) }
        if let given = request.uri.queryParameters["token"].map(String.init) {
            guard Self.same(given, token) else { return Self.refused() }
            var response = Response(status: .seeOther)
            response.headers[.location] = request.uri.path
            response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
            return response
        }
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let cookie = request.headers[values: .cookie].flatMap { $0.split(separator: ";") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("\(Self.cookieName)=") }
            .map { String($0.dropFirst(Self.cookieName.count + 1)) }
        guard let presented = bearer ?? cookie, Self.same(presented, token) else { return Self.refused() }
        return try await next(request, context)
    }

    private static func refused() -> Response {
        var response = Response(status: .unauthorized, body: .init(byteBuffer: ByteBuffer(string: "a dashboard token is required\n")))
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    /// Compares in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

/// How the dashboard is served.
public struct DashboardSettings: Sendable {
    /// The bearer token; required when the listener is not on loopback.
    public var token: String?
    /// Whether sandbox logs are shown.
    public var showLogs: Bool

    /// Settings.
    public init(token: String?, showLogs: Bool) {
        self.token = token
        self.showLogs = showLogs
    }

    /// Whether `host` is a loopback address (only this machine can connect).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The token to require on a listener at `host`: none on loopback unless one is given; an error on
    /// any other host without one.
    public func requiredToken(listeningOn host: String) throws(DashboardTokenMissing) -> String? {
        if let token, !token.isEmpty { return token }
        guard Self.isLoopback(host) else { throw DashboardTokenMissing(host: host) }
        return nil
    }
}

/// A listener off loopback without a dashboard token.
public struct DashboardTokenMissing: Error, CustomStringConvertible {
    /// The host it would listen on.
    public var host: String
    public var description: String {
        "the dashboard would listen on \(host), which is not loopback: set --dashboard-token or PORTER_FLEET_DASHBOARD_TOKEN (every path but /healthz and /readyz then needs it)"
    }
}
