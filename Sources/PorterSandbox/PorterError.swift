import Foundation
import OpenAPIRuntime

/// An error from the Porter Sandbox API or from the client talking to it.
///
/// Every failure the SDK reports is a `PorterError`; ``kind`` says what went wrong, and the
/// status code and server message, when there are any, say where. Mirrors the error classes of the
/// official SDKs (`AuthenticationError`, `NotFoundError`, `RateLimitError`, `ServerError`,
/// `SandboxTimeoutError` and the `SandboxError` base).
public struct PorterError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What kind of failure this is.
    public enum Kind: String, Sendable, Equatable {
        /// The client is not configured well enough to build a base URL or use its API key.
        case invalidConfiguration
        /// 401: the credentials were rejected.
        case authentication
        /// 404: the sandbox, volume, snapshot, file or name does not exist.
        case notFound
        /// 409: the request conflicts with the resource's state (name taken, not running, attached).
        case conflict
        /// 429 after every retry.
        case rateLimited
        /// 500–599 after every retry.
        case server
        /// Any other non-2xx answer (400, 403, 413, 416, a 3xx without `Location`, ...).
        case unexpectedStatus
        /// The call did not finish within its timeout. Never retried: the server may still act on it.
        case timeout
        /// The connection failed (refused, reset, protocol error) after every retry.
        case transport
        /// More than five redirects.
        case tooManyRedirects
        /// A 2xx answer whose body does not match the API's schema.
        case invalidResponse
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The HTTP status, when the server answered.
    public var statusCode: Int?
    /// A human-readable message: the server's `error` text when it sent one.
    public var message: String
    /// The raw error body the server sent, if any.
    public var body: Data?

    /// Creates an error.
    public init(kind: Kind, statusCode: Int? = nil, message: String, body: Data? = nil) {
        self.kind = kind
        self.statusCode = statusCode
        self.message = message
        self.body = body
    }

    /// The error for a non-2xx status, with the server's `{"error": "…"}` message when the body has one.
    public static func forStatus(_ status: Int, body: Data?) -> PorterError {
        let kind: Kind
        switch status {
        case 401: kind = .authentication
        case 404: kind = .notFound
        case 409: kind = .conflict
        case 429: kind = .rateLimited
        case 500...599: kind = .server
        default: kind = .unexpectedStatus
        }
        return PorterError(kind: kind, statusCode: status, message: serverMessage(in: body) ?? "HTTP \(status)", body: body)
    }

    /// The `error` string of an `Error` body, if the body is one.
    static func serverMessage(in body: Data?) -> String? {
        guard let body, !body.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let message = object["error"] as? String
        else { return nil }
        return message
    }

    /// Finds the `PorterError` inside an error thrown through the generated client, which wraps
    /// middleware and transport errors in `ClientError`; other errors become `invalidResponse`
    /// (a 2xx answer the client could not decode) or `transport`.
    static func from(_ error: any Error) -> PorterError {
        if let error = error as? PorterError { return error }
        if let clientError = error as? ClientError {
            if let inner = clientError.underlyingError as? PorterError { return inner }
            let status = clientError.response.map { Int($0.status.code) }
            return PorterError(
                kind: .invalidResponse,
                statusCode: status,
                message: "Unexpected answer to \(clientError.operationID): \(clientError.causeDescription) \(clientError.underlyingError)"
            )
        }
        if error is CancellationError { return PorterError(kind: .transport, message: "Cancelled") }
        return PorterError(kind: .transport, message: "Network error: \(error)")
    }

    /// A one-line description: kind, status and message.
    public var description: String {
        if let statusCode { return "\(kind.rawValue) (HTTP \(statusCode)): \(message)" }
        return "\(kind.rawValue): \(message)"
    }

    /// The same as ``description``.
    public var errorDescription: String? { description }
}
